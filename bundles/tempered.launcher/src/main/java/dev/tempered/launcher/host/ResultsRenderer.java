package dev.tempered.launcher.host;

import java.awt.Color;
import java.awt.Component;
import java.awt.Graphics;
import javax.swing.JTable;
import javax.swing.SwingConstants;
import javax.swing.table.DefaultTableCellRenderer;

/** Draws the confidence as a bar behind its number, so the table reads at a glance which calls are safe. */
final class ResultsRenderer extends DefaultTableCellRenderer {
    private static final long serialVersionUID = 1L;
    private static final Color BAR = new Color(0x3b6ea8);
    private double fraction = -1;

    @Override
    public Component getTableCellRendererComponent(JTable table, Object value, boolean selected, boolean focus,
            int row, int column) {
        super.getTableCellRendererComponent(table, value, selected, focus, row, column);
        String name = table.getColumnName(column);
        fraction = -1;
        setHorizontalAlignment(SwingConstants.LEFT);
        setForeground(selected ? table.getSelectionForeground() : table.getForeground());
        if (name.equals("confidence") && value != null && !value.toString().isEmpty()) {
            try {
                fraction = Double.parseDouble(value.toString());
                setText(String.format(java.util.Locale.ROOT, "%.1f %%", fraction * 100));
                setHorizontalAlignment(SwingConstants.RIGHT);
            } catch (NumberFormatException e) {
                fraction = -1;
            }
        } else if (name.equals("error") && !selected) {
            setForeground(new Color(0xb00020));
        } else if (name.equals("correct") && !selected) {
            setForeground("yes".equals(value) ? new Color(0x1b7f3b) : new Color(0xb00020));
        }
        return this;
    }

    @Override
    protected void paintComponent(Graphics g) {
        if (fraction >= 0) {
            g.setColor(new Color(BAR.getRed(), BAR.getGreen(), BAR.getBlue(), 60));
            g.fillRect(2, 3, (int) ((getWidth() - 4) * Math.min(1, fraction)), getHeight() - 6);
        }
        super.paintComponent(g);
    }
}
