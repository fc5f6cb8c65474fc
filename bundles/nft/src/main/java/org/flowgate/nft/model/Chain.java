package org.flowgate.nft.model;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.hook.Hook;
import org.flowgate.nft.lang.Pos;

/** A chain; a base chain when {@link #hook} is set. */
public final class Chain {
    public final String name;
    public final long handle;
    public String type;          // filter, nat, route
    public Hook hook;
    public String device;
    public int priority;
    public boolean policyDrop;
    public String comment;
    public final List<Rule> rules;
    public Pos pos;

    public Chain(String name, long handle, Pos pos) {
        this.name = name;
        this.handle = handle;
        this.rules = new ArrayList<>();
        this.pos = pos;
    }

    private Chain(Chain o) {
        name = o.name; handle = o.handle; type = o.type; hook = o.hook; device = o.device; priority = o.priority;
        policyDrop = o.policyDrop; comment = o.comment; rules = new ArrayList<>(o.rules); pos = o.pos;
    }

    public boolean isBase() { return hook != null; }

    public Chain copy() { return new Chain(this); }
}
