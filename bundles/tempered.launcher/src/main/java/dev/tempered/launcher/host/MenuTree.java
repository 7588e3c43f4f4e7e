package dev.tempered.launcher.host;

import dev.tempered.api.plugin.PluginAction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The menus a set of {@link PluginAction} services asks for: each action's {@code menuPath()} names the menus from
 * the top, in the order the services come (highest ranking first). Kept apart from Swing so the structure can be
 * checked without a display.
 */
final class MenuTree {
    final String name;
    final Map<String, MenuTree> submenus = new LinkedHashMap<>();
    final List<PluginAction> items = new ArrayList<>();

    private MenuTree(String name) {
        this.name = name;
    }

    /** The root: its submenus are the menu bar's menus; an action with an empty path goes under "Plugins". */
    static MenuTree of(List<PluginAction> actions) {
        MenuTree root = new MenuTree("");
        for (PluginAction a : actions) {
            List<String> path = a.menuPath().isEmpty() ? List.of("Plugins") : a.menuPath();
            MenuTree node = root;
            for (String name : path) {
                node = node.submenus.computeIfAbsent(name, MenuTree::new);
            }
            node.items.add(a);
        }
        return root;
    }

    /**
     * What a user sees, for change detection and tests: one line per menu and item, indented by depth. Labels are
     * included because an action may change its label (a new threshold, say) without being re-registered.
     */
    static String outline(List<PluginAction> actions) {
        StringBuilder sb = new StringBuilder();
        of(actions).append(sb, "");
        return sb.toString();
    }

    private void append(StringBuilder sb, String indent) {
        for (PluginAction a : items) {
            sb.append(indent).append("- ").append(a.label()).append(" [").append(a.id()).append("]\n");
        }
        for (MenuTree m : submenus.values()) {
            sb.append(indent).append(m.name).append('\n');
            m.append(sb, indent + "  ");
        }
    }
}
