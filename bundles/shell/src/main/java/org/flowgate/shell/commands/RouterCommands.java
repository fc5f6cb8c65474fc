package org.flowgate.shell.commands;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code router:interfaces|addr|link|routes|route|neigh [-i <instance>] ...}: the ip(8)-style
 * commands, on the default routing instance or the one {@code -i/--instance} names. Picks the
 * instance's services and hands over to {@link InterfaceCommands}, {@link RouteCommands},
 * {@link NeighbourCommands}.
 */
@Component(service = RouterCommands.class, property = {
        "osgi.command.scope=router",
        "osgi.command.function=interfaces", "osgi.command.function=addr", "osgi.command.function=link",
        "osgi.command.function=routes", "osgi.command.function=route", "osgi.command.function=neigh"})
public class RouterCommands {
    static final String OPT_I = "-i", OPT_INSTANCE = "--instance";
    private static final String INST = "routing instance (default: default)";

    private final Instances instances;

    @Activate
    public RouterCommands(@Reference Instances instances) { this.instances = instances; }

    @Descriptor("list the interfaces with state, MAC, MTU, addresses and counters (drops by reason)")
    public String interfaces(@Descriptor(INST) @Parameter(names = {OPT_I, OPT_INSTANCE}, absentValue = Instances.DEFAULT) String instance) {
        return new InterfaceCommands(instances.devices(instance, "interfaces")).interfaces();
    }

    @Descriptor("show one interface")
    public String interfaces(@Descriptor(INST) @Parameter(names = {OPT_I, OPT_INSTANCE}, absentValue = Instances.DEFAULT) String instance,
            @Descriptor("device name") String name) {
        return new InterfaceCommands(instances.devices(instance, "interfaces")).interfaces(name);
    }

    @Descriptor("add or delete an interface address: addr add|del <dev> <address/prefix-length>")
    public String addr(@Descriptor(INST) @Parameter(names = {OPT_I, OPT_INSTANCE}, absentValue = Instances.DEFAULT) String instance,
            @Descriptor("add|del <dev> <address/prefix-length>, e.g. add eth1 10.0.1.1/24") String... words) {
        return new InterfaceCommands(instances.devices(instance, "addr")).addr(words);
    }

    @Descriptor("set an interface up or down, or its MTU: link <dev> up|down | link <dev> mtu <bytes>")
    public String link(@Descriptor(INST) @Parameter(names = {OPT_I, OPT_INSTANCE}, absentValue = Instances.DEFAULT) String instance,
            @Descriptor("<dev> up|down, or <dev> mtu <bytes>") String... words) {
        return new InterfaceCommands(instances.devices(instance, "link")).link(words);
    }

    @Descriptor("list the routes (as ip route); 'routes all' includes the local routes of the router's own addresses")
    public String routes(@Descriptor(INST) @Parameter(names = {OPT_I, OPT_INSTANCE}, absentValue = Instances.DEFAULT) String instance,
            @Descriptor("optional: all") String... words) {
        return new RouteCommands(instances.routes(instance, "routes"), instances.devices(instance, "routes")).routes(words);
    }

    @Descriptor("add or delete a static route: route add|del <prefix>|default [via <gateway>] [dev <device>] [metric <n>]")
    public String route(@Descriptor(INST) @Parameter(names = {OPT_I, OPT_INSTANCE}, absentValue = Instances.DEFAULT) String instance,
            @Descriptor("add|del <prefix>|default [via <gateway>] [dev <device>] [metric <n>]") String... words) {
        return new RouteCommands(instances.routes(instance, "route"), instances.devices(instance, "route")).route(words);
    }

    @Descriptor("list the neighbours (as ip neigh), or: neigh add <address> lladdr <mac> dev <device> | neigh del <address> dev <device> | neigh flush")
    public String neigh(@Descriptor(INST) @Parameter(names = {OPT_I, OPT_INSTANCE}, absentValue = Instances.DEFAULT) String instance,
            @Descriptor("add <address> lladdr <mac> dev <device> | del <address> dev <device> | flush | list") String... words) {
        return new NeighbourCommands(instances.neighbours(instance, "neigh"), instances.devices(instance, "neigh")).neigh(words);
    }
}
