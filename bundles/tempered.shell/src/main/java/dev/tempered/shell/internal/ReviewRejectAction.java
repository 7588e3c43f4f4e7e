package dev.tempered.shell.internal;

import dev.tempered.api.library.ReviewQueue;
import dev.tempered.api.plugin.PluginAction;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Tempered &gt; Review &gt; {@link ReviewAction.Kind#REJECT}. */
@Component(service = PluginAction.class)
public final class ReviewRejectAction extends ReviewAction {
    @Activate
    public ReviewRejectAction(@Reference ReviewQueue queue) {
        super(queue, Kind.REJECT);
    }
}
