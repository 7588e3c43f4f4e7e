package dev.tempered.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** {@code exit}, which the shell's help offers, stops the framework (Gogo 1.1 has no exit of its own). */
class ExitCommandTest {
    @Test
    void exitStopsTheSystemBundle() throws Exception {
        List<String> calls = new ArrayList<>();
        Bundle system = (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, args) -> {
                    calls.add(m.getName());
                    return null;
                });
        BundleContext context = (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (p, m, args) -> {
                    if (m.getName().equals("getBundle") && args != null && args.length == 1
                            && args[0].equals(0L)) {
                        return system;
                    }
                    throw new UnsupportedOperationException(m.getName() + Arrays.toString(args));
                });
        assertEquals("stopping Tempered", new ExitCommand(context).exit());
        assertEquals(List.of("stop"), calls);
    }
}
