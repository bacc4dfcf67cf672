//! A report's chart: horizontal bars of [`Table::bars`], drawn on the
//! server with plotters' SVG backend and inlined in the page.
//!
//! Horizontal, with each label on its own line above its bar, because the
//! labels are Chinese names and rooms (long) and a phone is 390 px wide.
//! The figure is written at each bar's end as the table prints it, so the
//! chart never needs colour to be read, in print or on a screen. The
//! drawing is 360 units wide (about a phone's width at scale 1) and
//! scales with its `viewBox`; its width is the page's (`app.css`).
//! plotters writes presentation attributes (`fill`, `font-size`), which
//! the pages' CSP (`style-src 'self'`) allows; it writes no `style`
//! attribute and no script (the tests below check both).

use maud::{Markup, PreEscaped};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::domain::report::{Cell, LABEL_PARTS, Table};

/// The drawing's width in SVG units.
const WIDTH: u32 = 360;
/// Room kept right of the longest bar for its figure.
const FIGURE_ROOM: f64 = 72.0;
/// One row: its label line, then its bar.
const ROW: u32 = 44;
/// 15 units: plotters' SVG writes a font's size divided by 1.24.
const LABEL_SIZE: f64 = 15.0 * 1.24;
const BAR_TOP: i32 = 20;
const BAR_HEIGHT: i32 = 16;
/// Labels longer than this are cut (with "…"): the table beside the chart
/// has them whole.
const LABEL_CHARS: usize = 24;
const FONT: &str = "system-ui, PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif";
const INK: RGBColor = RGBColor(0, 0, 0);
/// The bars: the app's accent, dark enough to print as a solid grey.
const BAR: RGBColor = RGBColor(11, 83, 148);

/// The chart of `table` as inline SVG named `title` (its `<title>` and
/// `aria-label`), or nothing for a table without rows.
pub fn bars(table: &Table, title: &str) -> Markup {
    let bars = table.bars();
    if bars.is_empty() {
        return PreEscaped(String::new());
    }
    let unit = table.columns[table.chart].unit;
    let height = ROW * bars.len() as u32 + 8;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        // Drawing into a String cannot fail; a failure would leave a
        // shorter chart, never a broken page.
        let _ = draw(&root, &bars, unit);
        let _ = root.present();
    }
    PreEscaped(framed(&svg, title, height))
}

fn draw(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    bars: &[(String, f64)],
    unit: crate::domain::report::Unit,
) -> Result<(), DrawingAreaErrorKind<<SVGBackend<'static> as DrawingBackend>::ErrorType>> {
    let top = bars
        .iter()
        .map(|(_, v)| if v.is_finite() { *v } else { 0.0 })
        .fold(0.0_f64, f64::max);
    let longest = f64::from(WIDTH) - FIGURE_ROOM;
    let label = TextStyle::from((FONT, LABEL_SIZE).into_font())
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Top));
    let figure = TextStyle::from((FONT, LABEL_SIZE).into_font())
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (i, (name, value)) in bars.iter().enumerate() {
        let y = (i as u32 * ROW) as i32 + 4;
        root.draw(&Text::new(cut(name), (0, y), label.clone()))?;
        let value = if value.is_finite() { value.max(0.0) } else { 0.0 };
        let length = if top > 0.0 {
            (value / top * longest).round() as i32
        } else {
            0
        };
        let bar_y = y + BAR_TOP;
        // A zero still gets a hairline, so the row visibly has a bar.
        root.draw(&Rectangle::new(
            [(0, bar_y), (length.max(1), bar_y + BAR_HEIGHT)],
            BAR.filled(),
        ))?;
        let shown = Cell::Number(Some(value)).shown(unit);
        root.draw(&Text::new(
            shown,
            (length.max(1) + 6, bar_y + BAR_HEIGHT / 2),
            figure.clone(),
        ))?;
    }
    Ok(())
}

/// A label short enough for the chart. Its last part (a room's week) is
/// what tells its bars apart, so the parts before it are shortened first.
fn cut(label: &str) -> String {
    let cut_to = |text: &str, chars: usize| -> String {
        if text.chars().count() <= chars {
            return text.to_owned();
        }
        let mut s: String = text.chars().take(chars.saturating_sub(1)).collect();
        s.push('…');
        s
    };
    match label.rsplit_once(LABEL_PARTS) {
        Some((head, last))
            if label.chars().count() > LABEL_CHARS && last.chars().count() < LABEL_CHARS / 2 =>
        {
            let room = LABEL_CHARS - last.chars().count() - LABEL_PARTS.chars().count();
            format!("{}{LABEL_PARTS}{last}", cut_to(head, room))
        }
        _ => cut_to(label, LABEL_CHARS),
    }
}

/// plotters' opening tag fixes the size in pixels; the page's is
/// `viewBox` only (the CSS gives the width), with the chart's name for
/// assistive technology.
fn framed(svg: &str, title: &str, height: u32) -> String {
    let body = svg.find('>').map_or(svg, |end| &svg[end + 1..]);
    let title = maud::html! { (title) }.into_string();
    format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{title}"><title>{title}</title>{body}"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::{Column, Unit};

    fn table() -> Table {
        Table {
            key: "volunteers",
            columns: vec![
                Column {
                    key: "volunteer",
                    unit: Unit::Text,
                },
                Column {
                    key: "hours",
                    unit: Unit::Hours,
                },
            ],
            rows: vec![
                vec![Cell::Text("陈美".into()), Cell::Number(Some(4.0))],
                vec![
                    Cell::Text("<script>x</script>&\"黄\"".into()),
                    Cell::Number(Some(1.5)),
                ],
                vec![Cell::Text("没来的人".into()), Cell::Number(None)],
            ],
            totals: Some(vec![Cell::Text("合计".into()), Cell::Number(Some(5.5))]),
            chart: 1,
        }
    }

    #[test]
    fn the_bars_labels_and_figures_appear() {
        let svg = bars(&table(), "志愿者时长").into_string();
        assert!(
            svg.starts_with("<svg class=\"chart\" viewBox=\"0 0 360 "),
            "{svg}"
        );
        assert!(svg.contains(r#"role="img" aria-label="志愿者时长""#));
        assert!(svg.contains("<title>志愿者时长</title>"));
        for text in ["陈美", "\n4.00\n", "\n1.50\n", "font-size=\"15"] {
            assert!(svg.contains(text), "{text} in {svg}");
        }
        assert!(!svg.contains("合计"), "the totals are not a bar");
        // A row without a figure has no bar (not a false 0.00).
        assert!(!svg.contains("没来的人") && !svg.contains("\n0.00\n"), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<svg").count(), 1);
    }

    #[test]
    fn no_style_attribute_no_script_and_text_is_escaped() {
        let svg = bars(&table(), "<b>\"x\"</b>").into_string();
        assert!(!svg.contains("style="), "{svg}");
        assert!(!svg.to_lowercase().contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;x&lt;/script&gt;&amp;"), "{svg}");
        assert!(
            svg.contains("aria-label=\"&lt;b&gt;&quot;x&quot;&lt;/b&gt;\""),
            "{svg}"
        );
        let open = &svg[..svg.find('>').unwrap()];
        assert!(!open.contains("width=") && !open.contains("height="), "{open}");
    }

    #[test]
    fn the_longest_bar_fills_the_room_and_long_labels_are_cut() {
        let mut t = table();
        t.rows[0][0] = Cell::Text("一".repeat(40));
        let svg = bars(&t, "x").into_string();
        assert!(svg.contains(&format!("{}…", "一".repeat(23))), "{svg}");
        assert!(
            svg.contains(r#"width="288""#),
            "the 4.00 bar is 360 - 72 wide: {svg}"
        );
        assert!(bars(&Table { rows: vec![], ..t }, "x").into_string().is_empty());
    }

    /// A room's weeks stay apart when the room's name is long: its name is
    /// shortened, never the week.
    #[test]
    fn a_long_label_keeps_its_last_part() {
        assert_eq!(
            cut("健康小屋 Blood-pressure corner · 2026-11-02"),
            "健康小屋 Blood… · 2026-11-02"
        );
        assert_eq!(cut("短 · 2026-11-02"), "短 · 2026-11-02");
    }
}
