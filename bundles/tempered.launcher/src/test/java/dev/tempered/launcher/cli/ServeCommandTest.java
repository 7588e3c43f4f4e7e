package dev.tempered.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** serve's options become the HTTP runtime's framework properties; loopback and port 8737 unless told otherwise. */
class ServeCommandTest {
    @Test
    void loopbackAndTheDefaultPortUnlessTold() throws Exception {
        ServeCommand c = new ServeCommand();
        Cli.parse(c, List.of());
        Map<String, String> p = c.frameworkProperties();
        assertEquals("127.0.0.1", p.get("org.apache.felix.http.host"));
        assertEquals("8737", p.get("org.osgi.service.http.port"));
        assertEquals("false", p.get("org.apache.felix.https.enable"));
        assertEquals(Set.of("serve"), c.bundleGroups());
        assertTrue(c.check(), "127.0.0.1 is loopback");

        ServeCommand other = new ServeCommand();
        Cli.parse(other, List.of("--port", "0", "--bind", "0.0.0.0"));
        assertEquals("0", other.frameworkProperties().get("org.osgi.service.http.port"));
        assertEquals("0.0.0.0", other.frameworkProperties().get("org.apache.felix.http.host"));
        assertEquals(false, other.check(), "0.0.0.0 is not loopback: serve warns");
    }

    @Test
    void badPortsAndAddressesAreUsageErrors() throws Exception {
        ServeCommand c = new ServeCommand();
        Cli.parse(c, List.of("--port", "70000"));
        assertTrue(assertThrows(UsageException.class, c::frameworkProperties).getMessage().contains("70000"));
        assertThrows(UsageException.class, () -> Cli.parse(new ServeCommand(), List.of("--port", "eighty")));
        ServeCommand bad = new ServeCommand();
        Cli.parse(bad, List.of("--bind", "no.such.host.invalid"));
        assertTrue(assertThrows(UsageException.class, bad::frameworkProperties).getMessage().contains("no such address"));
    }
}
