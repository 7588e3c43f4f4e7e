package dev.tempered.shell.internal;

import dev.tempered.api.library.ReviewQueue;
import dev.tempered.api.plugin.PluginAction;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Tempered &gt; Review &gt; {@link ReviewAction.Kind#ACCEPT}. */
@Component(service = PluginAction.class)
public final class ReviewAcceptAction extends ReviewAction {
    @Activate
    public ReviewAcceptAction(@Reference ReviewQueue queue) {
        super(queue, Kind.ACCEPT);
    }
}
