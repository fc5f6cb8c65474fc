package org.flowgate.nft.hook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.netdev.LocalOutput;
import org.flowgate.api.ruleset.Ruleset;
import org.flowgate.api.ruleset.RulesetException;
import org.flowgate.nft.engine.NftEngine;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ruleset of a routing instance (the default one; more from factory configurations of
 * {@value InstanceNftComponent#FACTORY_PID}): the {@link Ruleset} service, the PacketHooks of its
 * base chains, and the optional services its statements use (conntrack for nat, the flow table
 * service for {@code flow add}, LocalOutput for reject replies).
 */
@Component(service = {Ruleset.class, NftComponent.class}, configurationPid = "org.flowgate.nft", immediate = true,
        property = RoutingInstance.DEFAULT_SERVICE_PROPERTY)
@Designate(ocd = NftConfig.class)
public class NftComponent implements Ruleset {
    private static final Logger LOG = LoggerFactory.getLogger(NftComponent.class);

    private final NftEngine engine = new NftEngine();
    private ServiceHookRegistrar registrar;

    @Activate
    void activate(BundleContext context, NftConfig config, java.util.Map<String, Object> props) {
        registrar = new ServiceHookRegistrar(context, engine, RoutingInstance.of(props));
        engine.setRegistrar(registrar);
        loadConfigured(config);
    }

    /** Any change of the configuration (even a touch of its .cfg file) reloads the file. */
    @Modified
    void modified(NftConfig config) {
        loadConfigured(config);
    }

    @Deactivate
    void deactivate() {
        engine.setRegistrar(null);
        registrar.close();
    }

    private void loadConfigured(NftConfig config) {
        String file = config.file().trim();
        if (file.isEmpty()) return;
        try {
            engine.load(Files.readString(Path.of(file)), file);
            LOG.info("nft ruleset loaded from {}", file);
        } catch (IOException e) {
            LOG.error("cannot read nft ruleset {}: {}", file, e.toString());
        } catch (RulesetException e) {
            LOG.error("nft ruleset {} rejected, running ruleset unchanged: {}", file, e.getMessage());
        }
    }

    /** The engine, for the shell commands of this bundle. */
    public NftEngine engine() { return engine; }

    @Override
    public void load(String text, String source) throws RulesetException { engine.load(text, source); }

    @Override
    public String list() { return engine.list(); }

    @Override
    public String execute(String text, String source) throws RulesetException { return engine.execute(text, source); }

    // the references below take services of the default instance; a factory configuration sets the .targets
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = RoutingInstance.DEFAULT_MEMBERS)
    void setConnTracker(ConnTracker ct) { engine.services().connTracker = ct; }

    void unsetConnTracker(ConnTracker ct) {
        if (engine.services().connTracker == ct) engine.services().connTracker = null;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = RoutingInstance.DEFAULT_MEMBERS)
    void setLocalOutput(LocalOutput out) { engine.services().localOutput = out; }

    void unsetLocalOutput(LocalOutput out) {
        if (engine.services().localOutput == out) engine.services().localOutput = null;
    }

    private volatile FlowTableService flowTables;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = RoutingInstance.DEFAULT_MEMBERS)
    void setFlowTableService(FlowTableService fts) {
        flowTables = fts;
        engine.setFlowTableService(fts);
    }

    void unsetFlowTableService(FlowTableService fts) {
        if (flowTables == fts) {
            flowTables = null;
            engine.setFlowTableService(null);
        }
    }
}
