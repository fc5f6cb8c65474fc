package org.flowgate.nft.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.flowgate.nft.lang.Pos;

/** A named set, map ({@code dataType} set) or verdict map ({@code dataType == VERDICT}). */
public final class SetDef {
    public final String name;
    public final long handle;
    public final boolean isMap;
    public DataType keyType;
    /** The parts when {@code keyType} is {@link DataType#CONCAT}. */
    public java.util.List<DataType> concat;
    public DataType dataType;
    public final Set<String> flags;
    public final List<Elem> elements;
    public String comment;
    public Pos pos;

    public SetDef(String name, long handle, boolean isMap, Pos pos) {
        this.name = name;
        this.handle = handle;
        this.isMap = isMap;
        this.flags = new LinkedHashSet<>();
        this.elements = new ArrayList<>();
        this.pos = pos;
    }

    private SetDef(SetDef o) {
        name = o.name; handle = o.handle; isMap = o.isMap; keyType = o.keyType; concat = o.concat; dataType = o.dataType;
        flags = new LinkedHashSet<>(o.flags); elements = new ArrayList<>(o.elements); comment = o.comment; pos = o.pos;
    }

    public boolean interval() { return flags.contains("interval"); }

    public SetDef copy() { return new SetDef(this); }
}
