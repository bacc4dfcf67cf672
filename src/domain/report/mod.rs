//! A report as a table: the one shape the report pages draw (chart and the
//! table beside it), the CSV downloads carry and the print page lays out.
//! Every report of `workflows::reports` gives its figures as a [`Table`],
//! so a CSV's totals are the chart's table by construction, and a page
//! needs no knowledge of which report it shows.
//!
//! Pure: figures in, figures out; the words of columns are the pages'
//! (`pages::text`), looked up by each column's `key`.

use super::csv::Csv;

pub mod computers;
pub mod front_desk;
pub mod rooms;
pub mod summary;
pub mod volunteers;

/// What a column's numbers are, for formatting and for the chart's axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Words (a room's name, a week): the row's label columns.
    Text,
    /// Hours, shown with two decimals.
    Hours,
    /// A count of things (bookings, no-shows).
    Count,
    /// A share, 0 to 100, shown with one decimal.
    Percent,
    /// Minutes (how long someone waited), one decimal.
    Minutes,
}

/// One column: its stable key (the CSV header and the JSON name) and unit.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Column {
    pub key: &'static str,
    pub unit: Unit,
}

/// One cell: words for `Text` columns, a number for the others (`None`
/// where a figure has no meaning, e.g. a share of zero open hours).
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Cell {
    Text(String),
    Number(Option<f64>),
}

impl Cell {
    pub fn number(&self) -> Option<f64> {
        match self {
            Cell::Number(n) => *n,
            Cell::Text(_) => None,
        }
    }

    /// The cell as the table and the CSV print it (the same text: a
    /// spreadsheet's sum of the CSV equals the page's totals row).
    pub fn shown(&self, unit: Unit) -> String {
        match (self, unit) {
            (Cell::Text(t), _) => t.clone(),
            (Cell::Number(None), _) => String::new(),
            (Cell::Number(Some(n)), Unit::Hours) => format!("{n:.2}"),
            (Cell::Number(Some(n)), Unit::Percent | Unit::Minutes) => format!("{n:.1}"),
            (Cell::Number(Some(n)), Unit::Count | Unit::Text) => format!("{n:.0}"),
        }
    }
}

/// Between the words of a bar's label (a room and its week).
pub const LABEL_PARTS: &str = " · ";

/// The label of a totals row, in the table, the page and the CSV alike
/// (a spreadsheet's reader is the secretary: Chinese first).
pub const TOTAL: &str = "合计";

/// A report's figures.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Table {
    /// Which report (`rooms`, `computers`, `front_desk`, `volunteers`, ...):
    /// the file name of its CSV and the key of its title in the pages.
    pub key: &'static str,
    pub columns: Vec<Column>,
    /// Each row has one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// The totals row (one cell per column; labels in `Text` columns), or
    /// none when summing makes no sense.
    pub totals: Option<Vec<Cell>>,
    /// The column the chart draws (a number column), per row.
    pub chart: usize,
}

impl Table {
    /// The CSV: a header of column keys, the rows, then the totals row.
    /// Words are defused against formulas; numbers are written as printed
    /// (digits, a point and a sign only), so a negative difference stays a
    /// number a spreadsheet sums, not `'-3.50`.
    pub fn csv(&self) -> String {
        let header: Vec<&str> = self.columns.iter().map(|c| c.key).collect();
        let mut out = Csv::new(&header).finish();
        for row in self.rows.iter().chain(self.totals.iter()) {
            let cells: Vec<String> = row
                .iter()
                .zip(&self.columns)
                .map(|(cell, col)| match cell {
                    Cell::Text(t) => super::csv::cell(t),
                    Cell::Number(_) => cell.shown(col.unit),
                })
                .collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }

    /// A row's cells as printed.
    pub fn shown(&self, row: &[Cell]) -> Vec<String> {
        row.iter()
            .zip(&self.columns)
            .map(|(cell, col)| cell.shown(col.unit))
            .collect()
    }

    /// The chart's bars: each row's label (its `Text` cells joined) and the
    /// figure in the chart column. A row without a figure there (a share of
    /// no open hours; a count in the summary, whose chart draws hours) has
    /// no bar: drawn as 0 it would say something false.
    pub fn bars(&self) -> Vec<(String, f64)> {
        self.rows
            .iter()
            .filter_map(|row| {
                let figure = row[self.chart].number()?;
                let label: Vec<&str> = row
                    .iter()
                    .filter_map(|c| match c {
                        Cell::Text(t) => Some(t.as_str()),
                        Cell::Number(_) => None,
                    })
                    .collect();
                Some((label.join(LABEL_PARTS), figure))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            key: "rooms",
            columns: vec![
                Column {
                    key: "room",
                    unit: Unit::Text,
                },
                Column {
                    key: "booked_hours",
                    unit: Unit::Hours,
                },
                Column {
                    key: "use_percent",
                    unit: Unit::Percent,
                },
            ],
            rows: vec![
                vec![
                    Cell::Text("活动室".into()),
                    Cell::Number(Some(3.0)),
                    Cell::Number(Some(12.5)),
                ],
                vec![
                    Cell::Text("=hall".into()),
                    Cell::Number(Some(-1.5)),
                    Cell::Number(None),
                ],
            ],
            totals: Some(vec![
                Cell::Text("合计".into()),
                Cell::Number(Some(1.5)),
                Cell::Number(None),
            ]),
            chart: 1,
        }
    }

    #[test]
    fn the_csv_has_the_keys_the_rows_and_the_totals_words_defused_numbers_not() {
        assert_eq!(
            table().csv(),
            "room,booked_hours,use_percent\r\n活动室,3.00,12.5\r\n'=hall,-1.50,\r\n合计,1.50,\r\n"
        );
    }

    #[test]
    fn a_row_without_a_figure_has_no_bar() {
        let mut t = table();
        t.rows[1][1] = Cell::Number(None);
        assert_eq!(t.bars(), vec![("活动室".to_owned(), 3.0)]);
    }

    #[test]
    fn the_bars_are_labelled_rows_of_the_chart_column() {
        assert_eq!(
            table().bars(),
            vec![("活动室".to_owned(), 3.0), ("=hall".to_owned(), -1.5)]
        );
    }
}
