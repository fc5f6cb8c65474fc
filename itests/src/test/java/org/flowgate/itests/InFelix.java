package org.flowgate.itests;

import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.flowgate.api.netdev.NetDevices;
import org.junit.After;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A Pax Exam test in Felix with the Flowgate bundles ({@link FlowgateBundles}): the services a
 * test registers and the configurations it makes, kept in {@link #registrations} and
 * {@link #configurations}, are taken out again after it (configurations first), and Gogo
 * commands run as an operator types them.
 */
public abstract class InFelix {
    private static final long WAIT = 10_000;

    @Inject protected BundleContext context;
    @Inject protected ConfigurationAdmin configAdmin;
    @Inject protected CommandProcessor gogo;

    protected final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    protected final List<org.osgi.service.cm.Configuration> configurations = new ArrayList<>();

    @Configuration
    public Option[] config() { return FlowgateBundles.options(); }

    @After
    public void undoRegistrationsAndConfigurations() throws Exception {
        for (org.osgi.service.cm.Configuration c : configurations) c.delete();
        for (ServiceRegistration<?> r : registrations) r.unregister();
    }

    /**
     * Registers the ports as {@link org.flowgate.api.netdev.Port} services of routing instance
     * {@code instance} and waits until its packet path started them and its {@code devices} list them.
     */
    protected void attach(String instance, NetDevices devices, TestPort... ports) throws InterruptedException {
        for (TestPort p : ports) {
            registrations.add(p.register(context, instance));
            assertTrue(p.name() + " started by the packet path of " + instance, p.awaitStarted(WAIT));
        }
        for (TestPort p : ports) assertTrue(p.name() + " listed by NetDevices of " + instance, Await.until(() -> devices.byName(p.name()).isPresent(), WAIT));
    }

    /** {@link Gogo#run}. */
    protected Object run(String command) throws Exception { return Gogo.run(gogo, command); }

    /** {@link Gogo#call}. */
    protected Object call(String command) { return Gogo.call(gogo, command); }
}
