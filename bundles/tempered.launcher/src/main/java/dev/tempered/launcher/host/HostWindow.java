package dev.tempered.launcher.host;

import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.api.plugin.ProgressMonitor;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Component;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.Image;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.swing.BorderFactory;
import javax.swing.DefaultListModel;
import javax.swing.ImageIcon;
import javax.swing.JButton;
import javax.swing.JFileChooser;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JMenu;
import javax.swing.JMenuBar;
import javax.swing.JMenuItem;
import javax.swing.JPanel;
import javax.swing.JProgressBar;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTable;
import javax.swing.ListSelectionModel;
import javax.swing.MenuElement;
import javax.swing.SwingConstants;
import javax.swing.SwingUtilities;
import javax.swing.SwingWorker;
import javax.swing.event.MenuEvent;
import javax.swing.event.MenuListener;

/**
 * The reference host's window: the audio files of a folder, a menu bar whose Tempered menus are built only from
 * the {@link PluginAction} services (rebuilt when they change), a results table and a pane for the reliability
 * diagram. It knows nothing of Tempered but the API.
 */
public final class HostWindow {
    private final JFrame frame = new JFrame();
    private final DefaultListModel<Entry> fileModel = new DefaultListModel<>();
    private final JList<Entry> files = new JList<>(fileModel);
    private final ResultsModel results = new ResultsModel();
    private final JLabel diagram = new JLabel("", SwingConstants.CENTER);
    private final JLabel status = new JLabel(" ");
    private final javax.swing.JTextArea log = new javax.swing.JTextArea();
    private final JProgressBar progress = new JProgressBar();
    private final JButton cancel = new JButton("Cancel");
    private final JMenuBar menuBar = new JMenuBar();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    private final AtomicReference<CompletableFuture<ActionResult>> running = new AtomicReference<>();
    private volatile String outline = "";
    private BufferedImage diagramImage;
    private Path folder;

    /** A listed file: shown relative to the folder, handed to actions as an absolute path. */
    private record Entry(Path path, String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private HostWindow() {
    }

    /**
     * Opens the window on the event thread and lists the folder's audio files. Its Tempered menus appear when the
     * host hands it the actions: call {@link #actionsChanged} from a service tracker (or listener) on every change.
     */
    public static HostWindow open(Path folder) throws InterruptedException {
        onEdt(HostWindow::lookAndFeel);
        HostWindow w = new HostWindow();
        onEdt(() -> w.build(folder));
        return w;
    }

    /** Nimbus where the JDK has it: the same look on every desktop, and under Xvfb for screenshots. */
    private static void lookAndFeel() {
        try {
            for (javax.swing.UIManager.LookAndFeelInfo info : javax.swing.UIManager.getInstalledLookAndFeels()) {
                if (info.getName().equals("Nimbus")) {
                    javax.swing.UIManager.setLookAndFeel(info.getClassName());
                    return;
                }
            }
        } catch (ReflectiveOperationException | javax.swing.UnsupportedLookAndFeelException e) {
            // The default look works as well.
        }
    }

    private void build(Path dir) {
        frame.setTitle("Tempered host");
        frame.setDefaultCloseOperation(JFrame.DISPOSE_ON_CLOSE);
        frame.addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosed(WindowEvent e) {
                closed.countDown();
            }
        });
        frame.setJMenuBar(menuBar);

        files.setSelectionMode(ListSelectionModel.MULTIPLE_INTERVAL_SELECTION);
        files.addListSelectionListener(e -> {
            if (!e.getValueIsAdjusting() && running.get() == null) {
                status.setText(files.getSelectedValuesList().size() + " of " + fileModel.size() + " files selected");
            }
        });
        JScrollPane fileScroll = new JScrollPane(files);
        fileScroll.setBorder(BorderFactory.createTitledBorder("Files"));
        fileScroll.setPreferredSize(new Dimension(240, 600));

        JTable table = new JTable(results);
        table.setAutoCreateRowSorter(true);
        table.setFillsViewportHeight(true);
        table.setRowHeight(table.getRowHeight() + 6);
        table.setAutoResizeMode(JTable.AUTO_RESIZE_OFF);
        table.setDefaultRenderer(Object.class, new ResultsRenderer());
        Runnable widths = () -> {
            for (int c = 0; c < table.getColumnCount(); c++) {
                table.getColumnModel().getColumn(c).setPreferredWidth(ResultsModel.width(table.getColumnName(c)));
            }
        };
        results.addTableModelListener(e -> {
            // Listeners hear of a change in reverse order of registration, so the table rebuilds its columns
            // after this one: size them once it has.
            if (e.getFirstRow() == javax.swing.event.TableModelEvent.HEADER_ROW) {
                SwingUtilities.invokeLater(widths);
            }
        });
        widths.run();
        JScrollPane tableScroll = new JScrollPane(table);
        tableScroll.setBorder(BorderFactory.createTitledBorder("Results"));

        diagram.setVerticalAlignment(SwingConstants.TOP);
        diagram.setForeground(Color.GRAY);
        diagram.setText("<html><center>No diagram yet.<br>Select tagged files and choose<br>Tempered \u25b8 Calibration"
                + " \u25b8 Reliability diagram</center></html>");
        JPanel diagramPanel = new JPanel(new BorderLayout());
        diagramPanel.setBorder(BorderFactory.createTitledBorder("Reliability diagram"));
        diagramPanel.add(diagram, BorderLayout.CENTER);
        diagramPanel.setPreferredSize(new Dimension(470, 420));
        diagramPanel.addComponentListener(new java.awt.event.ComponentAdapter() {
            @Override
            public void componentResized(java.awt.event.ComponentEvent e) {
                scaleDiagram();
            }
        });

        log.setEditable(false);
        log.setLineWrap(true);
        log.setWrapStyleWord(true);
        log.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 11));
        JScrollPane logScroll = new JScrollPane(log);
        logScroll.setBorder(BorderFactory.createTitledBorder("Messages"));
        JSplitPane side = new JSplitPane(JSplitPane.VERTICAL_SPLIT, diagramPanel, logScroll);
        side.setResizeWeight(0.6);
        side.setPreferredSize(new Dimension(470, 600));
        JSplitPane right = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, tableScroll, side);
        right.setResizeWeight(1.0);
        JSplitPane main = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, fileScroll, right);
        main.setResizeWeight(0.0);

        JPanel statusBar = new JPanel(new BorderLayout(8, 0));
        statusBar.setBorder(BorderFactory.createEmptyBorder(4, 8, 4, 8));
        status.setFont(status.getFont().deriveFont(Font.PLAIN));
        statusBar.add(status, BorderLayout.CENTER);
        JPanel progressBox = new JPanel(new BorderLayout(6, 0));
        progress.setPreferredSize(new Dimension(220, 18));
        progress.setStringPainted(true);
        progress.setString("");
        progress.setVisible(false);
        cancel.setEnabled(false);
        cancel.addActionListener(e -> cancelRequested.set(true));
        progressBox.add(progress, BorderLayout.CENTER);
        progressBox.add(cancel, BorderLayout.EAST);
        statusBar.add(progressBox, BorderLayout.EAST);

        frame.getContentPane().add(main, BorderLayout.CENTER);
        frame.getContentPane().add(statusBar, BorderLayout.SOUTH);
        rebuildMenus(List.of());
        openFolder(dir);
        Rectangle screen = java.awt.GraphicsEnvironment.getLocalGraphicsEnvironment().getMaximumWindowBounds();
        frame.setSize(Math.min(screen.width, 1440), Math.min(screen.height, 900));
        frame.setLocation(0, 0);
        frame.setVisible(true);
    }

    /** Lists a folder's audio files (subfolders included), sorted by path. */
    void openFolder(Path dir) {
        folder = dir.toAbsolutePath().normalize();
        frame.setTitle("Tempered host \u2014 " + folder);
        fileModel.clear();
        try (Stream<Path> s = Files.walk(folder, 4)) {
            s.filter(Files::isRegularFile).filter(HostWindow::looksLikeAudio).sorted(Comparator.comparing(Path::toString))
                    .forEach(p -> fileModel.addElement(new Entry(p, folder.relativize(p).toString())));
        } catch (IOException e) {
            status.setText("Cannot list " + folder + ": " + e.getMessage());
        }
        results.clear();
        status.setText(fileModel.size() + " audio files in " + folder);
        message("Opened " + folder + ": " + fileModel.size() + " audio files");
    }

    private static boolean looksLikeAudio(Path p) {
        String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return n.matches(".*\\.(mp3|ogg|oga|opus|flac|wav|aif|aiff|m4a|mp4)$");
    }

    /**
     * The actions the framework offers now, highest ranking first; the menus are rebuilt when what they would show
     * changed. Safe to call from any thread: a service tracker calls it on registration, modification and removal.
     */
    public void actionsChanged(List<PluginAction> now) {
        try {
            List<PluginAction> copy = List.copyOf(now);
            String o = MenuTree.outline(copy);
            synchronized (this) {
                if (o.equals(outline)) {
                    return;
                }
                outline = o;
            }
            SwingUtilities.invokeLater(() -> rebuildMenus(copy));
        } catch (RuntimeException e) {
            // A service going away while its label is read: the tracker calls again with the new state.
        }
    }

    private void rebuildMenus(List<PluginAction> actions) {
        menuBar.removeAll();
        JMenu file = new JMenu("File");
        JMenuItem open = new JMenuItem("Open folder\u2026");
        open.addActionListener(e -> {
            JFileChooser chooser = new JFileChooser(folder == null ? null : folder.toFile());
            chooser.setFileSelectionMode(JFileChooser.DIRECTORIES_ONLY);
            if (chooser.showOpenDialog(frame) == JFileChooser.APPROVE_OPTION) {
                openFolder(chooser.getSelectedFile().toPath());
            }
        });
        JMenuItem selectAll = new JMenuItem("Select all files");
        selectAll.addActionListener(e -> selectAllNow());
        JMenuItem quit = new JMenuItem("Quit");
        quit.addActionListener(e -> frame.dispose());
        file.add(open);
        file.add(selectAll);
        file.addSeparator();
        file.add(quit);
        menuBar.add(file);
        MenuTree tree = MenuTree.of(actions);
        for (MenuTree top : tree.submenus.values()) {
            menuBar.add(menu(top));
        }
        menuBar.revalidate();
        menuBar.repaint();
    }

    private JMenu menu(MenuTree node) {
        JMenu menu = new JMenu(node.name);
        List<Runnable> refresh = new ArrayList<>();
        for (PluginAction a : node.items) {
            JMenuItem item = new JMenuItem(a.label());
            item.setName(a.id());
            item.addActionListener(e -> run(a));
            refresh.add(() -> {
                item.setText(a.label());
                item.setEnabled(running.get() == null && a.enabled() && a.appliesTo(selection()));
            });
            menu.add(item);
        }
        if (!node.items.isEmpty() && !node.submenus.isEmpty()) {
            menu.addSeparator();
        }
        for (MenuTree sub : node.submenus.values()) {
            menu.add(menu(sub));
        }
        // Enablement depends on the selection and on the services' state (the active model), so it is asked
        // each time the menu opens rather than cached.
        refresh.forEach(Runnable::run);
        menu.addMenuListener(new MenuListener() {
            @Override
            public void menuSelected(MenuEvent e) {
                refresh.forEach(Runnable::run);
            }

            @Override
            public void menuDeselected(MenuEvent e) {
            }

            @Override
            public void menuCanceled(MenuEvent e) {
            }
        });
        return menu;
    }

    List<Path> selection() {
        return files.getSelectedValuesList().stream().map(Entry::path).toList();
    }

    /** Runs an action on the selection in the background, with progress and the Cancel button. */
    CompletableFuture<ActionResult> run(PluginAction action) {
        CompletableFuture<ActionResult> future = new CompletableFuture<>();
        if (!running.compareAndSet(null, future)) {
            future.completeExceptionally(new IllegalStateException("another action is running"));
            return future;
        }
        List<Path> selection = selection();
        cancelRequested.set(false);
        cancel.setEnabled(true);
        progress.setVisible(true);
        progress.setIndeterminate(true);
        progress.setString(action.label());
        status.setForeground(Color.BLACK);
        status.setText(action.label() + "\u2026");
        ProgressMonitor monitor = new ProgressMonitor() {
            @Override
            public void progress(int done, int total, String message) {
                SwingUtilities.invokeLater(() -> {
                    progress.setIndeterminate(false);
                    progress.setMaximum(Math.max(1, total));
                    progress.setValue(done);
                    progress.setString(done + " / " + total);
                    if (!message.isEmpty()) {
                        status.setText(action.label() + ": " + message);
                    }
                });
            }

            @Override
            public boolean isCancelled() {
                return cancelRequested.get();
            }
        };
        new SwingWorker<ActionResult, Void>() {
            @Override
            protected ActionResult doInBackground() throws Exception {
                return action.run(selection, monitor);
            }

            @Override
            protected void done() {
                running.set(null);
                cancel.setEnabled(false);
                progress.setVisible(false);
                progress.setIndeterminate(false);
                progress.setValue(0);
                progress.setString("");
                try {
                    ActionResult r = get();
                    results.show(r);
                    r.image().ifPresent(HostWindow.this::showDiagram);
                    status.setForeground(r.failures().isEmpty() ? Color.BLACK : new Color(0x9a5b00));
                    status.setText(r.summary());
                    message(action.label() + (r.cancelled() ? " (cancelled)" : "") + ": " + r.summary());
                    r.failures().forEach((f, why) -> message("  " + f.getFileName() + ": "
                            + (why.startsWith(f + ": ") ? why.substring(f.toString().length() + 2) : why)));
                    future.complete(r);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    future.completeExceptionally(e);
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable cause = e.getCause();
                    status.setForeground(new Color(0xb00020));
                    status.setText(action.label() + " failed: " + cause.getMessage());
                    message(action.label() + " failed: " + cause.getMessage());
                    future.completeExceptionally(cause);
                }
            }
        }.execute();
        return future;
    }

    private void message(String line) {
        log.append(java.time.LocalTime.now().withNano(0) + " " + line + "\n");
        log.setCaretPosition(log.getDocument().getLength());
    }

    private void showDiagram(Path png) {
        try {
            diagramImage = ImageIO.read(png.toFile());
            diagram.setText(null);
            scaleDiagram();
        } catch (IOException e) {
            diagram.setText("Cannot read " + png + ": " + e.getMessage());
        }
    }

    private void scaleDiagram() {
        if (diagramImage == null) {
            return;
        }
        int w = Math.max(50, diagram.getParent().getWidth() - 16);
        int h = Math.max(50, diagram.getParent().getHeight() - 30);
        double scale = Math.min(1.0, Math.min(w / (double) diagramImage.getWidth(), h / (double) diagramImage.getHeight()));
        Image img = diagramImage.getScaledInstance((int) (diagramImage.getWidth() * scale),
                (int) (diagramImage.getHeight() * scale), Image.SCALE_SMOOTH);
        diagram.setIcon(new ImageIcon(img));
    }

    // ---- Scripting, for the screenshot and tests: everything goes through the same menus a user clicks. ----

    /** Selects every listed file. */
    public void selectAll() throws InterruptedException {
        onEdt(this::selectAllNow);
    }

    private void selectAllNow() {
        if (!fileModel.isEmpty()) {
            files.setSelectionInterval(0, fileModel.size() - 1);
        }
    }

    /**
     * Clicks the menu item at {@code path} (menu names, then the start of the item's label, e.g.
     * {@code ["Tempered", "Analyse"]}), waiting up to {@code waitMillis} for the services to offer it, and waits
     * for the action to finish.
     */
    public ActionResult click(List<String> path, long waitMillis) throws Exception {
        long deadline = System.currentTimeMillis() + waitMillis;
        JMenuItem item;
        while ((item = callOnEdt(() -> find(path))) == null || !callOnEdt(enabledNow(path))) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("no enabled menu item " + String.join(" > ", path) + " after "
                        + waitMillis + " ms; the menus are:\n" + outline);
            }
            Thread.sleep(200);
        }
        JMenuItem target = item;
        // Read the future on the event thread too: the action's completion is delivered there, so it cannot
        // have been cleared in between.
        CompletableFuture<ActionResult> f = callOnEdt(() -> {
            target.doClick();
            return running.get();
        });
        if (f == null) {
            throw new IllegalStateException(String.join(" > ", path) + " did not start an action");
        }
        return f.get(Math.max(waitMillis, 600_000), TimeUnit.MILLISECONDS);
    }

    private java.util.concurrent.Callable<Boolean> enabledNow(List<String> path) {
        return () -> {
            // Opening a menu refreshes its items' enablement; do the same without showing it.
            JMenu m = null;
            for (int i = 0; i < menuBar.getMenuCount(); i++) {
                if (menuBar.getMenu(i).getText().equals(path.get(0))) {
                    m = menuBar.getMenu(i);
                }
            }
            if (m == null) {
                return false;
            }
            for (MenuListener l : m.getMenuListeners()) {
                l.menuSelected(new MenuEvent(m));
            }
            for (int d = 1; d < path.size() - 1; d++) {
                JMenu next = null;
                for (Component c : m.getMenuComponents()) {
                    if (c instanceof JMenu sub && sub.getText().equals(path.get(d))) {
                        next = sub;
                    }
                }
                if (next == null) {
                    return false;
                }
                m = next;
                for (MenuListener l : m.getMenuListeners()) {
                    l.menuSelected(new MenuEvent(m));
                }
            }
            JMenuItem item = find(path);
            return item != null && item.isEnabled();
        };
    }

    private JMenuItem find(List<String> path) {
        MenuElement node = menuBar;
        for (int d = 0; d < path.size(); d++) {
            String want = path.get(d);
            boolean last = d == path.size() - 1;
            MenuElement next = null;
            for (MenuElement e : children(node)) {
                if (e instanceof JMenuItem mi && (last ? mi.getText().startsWith(want) : mi.getText().equals(want))) {
                    next = e;
                    break;
                }
            }
            if (next == null) {
                return null;
            }
            node = next;
        }
        return (JMenuItem) node;
    }

    private static List<MenuElement> children(MenuElement e) {
        if (e instanceof JMenu m) {
            List<MenuElement> out = new ArrayList<>();
            for (Component c : m.getMenuComponents()) {
                if (c instanceof MenuElement me) {
                    out.add(me);
                }
            }
            return out;
        }
        return List.of(e.getSubElements());
    }

    /** Presses Cancel, as a user would while an action runs; whether one was running. */
    public boolean cancelRunning() throws Exception {
        return callOnEdt(() -> {
            if (!cancel.isEnabled()) {
                return false;
            }
            cancel.doClick();
            return true;
        });
    }

    /** Opens the menus along {@code path} (menu names), as a user hovering would, e.g. for a screenshot. */
    public void showMenu(List<String> path) throws Exception {
        onEdt(() -> {
            JMenu m = null;
            for (int i = 0; i < menuBar.getMenuCount(); i++) {
                if (menuBar.getMenu(i).getText().equals(path.get(0))) {
                    m = menuBar.getMenu(i);
                }
            }
            if (m == null) {
                return;
            }
            List<MenuElement> selected = new ArrayList<>(List.of(menuBar, m, m.getPopupMenu()));
            m.doClick(0);
            for (int d = 1; d < path.size(); d++) {
                JMenu next = null;
                for (Component c : m.getMenuComponents()) {
                    if (c instanceof JMenu sub && sub.getText().equals(path.get(d))) {
                        next = sub;
                    }
                }
                if (next == null) {
                    break;
                }
                m = next;
                for (MenuListener l : m.getMenuListeners()) {
                    l.menuSelected(new MenuEvent(m));
                }
                selected.add(m);
                selected.add(m.getPopupMenu());
                m.setPopupMenuVisible(true);
            }
            javax.swing.MenuSelectionManager.defaultManager().setSelectedPath(selected.toArray(new MenuElement[0]));
        });
    }

    /** Saves what the screen shows of the window (Robot reads the real pixels, open menus included). */
    public void screenshot(Path png) throws Exception {
        Thread.sleep(400);
        Rectangle bounds = callOnEdt(frame::getBounds);
        BufferedImage img = new Robot().createScreenCapture(bounds);
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(img, "png", png.toFile())) {
            throw new IOException("no PNG writer");
        }
    }

    /** The menu bar as text (menus, items and their ids), for checks and error messages. */
    public String menuOutline() {
        return outline;
    }

    /** The results table's cell, or null. */
    String cell(int row, String column) throws Exception {
        return callOnEdt(() -> row < results.getRowCount() ? results.text(row, column) : null);
    }

    int resultRows() throws Exception {
        return callOnEdt(results::getRowCount);
    }

    Optional<BufferedImage> diagramImage() throws Exception {
        return Optional.ofNullable(callOnEdt(() -> diagramImage));
    }

    /** Closes the window. */
    public void close() throws InterruptedException {
        onEdt(frame::dispose);
        closed.await(5, TimeUnit.SECONDS);
    }

    /** Blocks until the user closes the window. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    private static void onEdt(Runnable r) throws InterruptedException {
        if (SwingUtilities.isEventDispatchThread()) {
            r.run();
            return;
        }
        try {
            SwingUtilities.invokeAndWait(r);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(c);
        }
    }

    private static <T> T callOnEdt(java.util.concurrent.Callable<T> c) throws Exception {
        AtomicReference<T> out = new AtomicReference<>();
        AtomicReference<Exception> err = new AtomicReference<>();
        onEdt(() -> {
            try {
                out.set(c.call());
            } catch (Exception e) {
                err.set(e);
            }
        });
        if (err.get() != null) {
            throw err.get();
        }
        return out.get();
    }
}
