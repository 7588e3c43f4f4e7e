package dev.tempered.shell.internal;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code exit} in the Gogo shell: stops the application, as {@code stop 0} and Ctrl-D do. Gogo 1.1's shell has
 * no {@code exit} of its own, yet it is what people type (and what {@code tempered shell --help} offers).
 */
@Component(service = ExitCommand.class, property = {"osgi.command.scope=tempered", "osgi.command.function=exit"})
public final class ExitCommand {
    private final BundleContext context;

    @Activate
    public ExitCommand(BundleContext context) {
        this.context = context;
    }

    @Descriptor("Stop the application and leave the shell (the same as 'stop 0' or Ctrl-D)")
    public String exit() throws BundleException {
        // The system bundle stops on a thread of its own: this returns, and the launcher's wait for the stop ends.
        context.getBundle(Constants.SYSTEM_BUNDLE_ID).stop();
        return "stopping Tempered";
    }
}
