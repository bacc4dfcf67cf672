//! CSV export of user text, safe to open in a spreadsheet: RFC 4180 quoting,
//! and no formula injection (a cell starting with `=`, `+`, `-`, `@`, a tab
//! or a carriage return is prefixed with `'`, as OWASP advises).

/// A CSV document being built.
pub struct Csv {
    /// The text so far.
    out: String,
}

impl Csv {
    pub fn new(header: &[&str]) -> Csv {
        let mut csv = Csv { out: String::new() };
        csv.row(&header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>());
        csv
    }

    pub fn row(&mut self, cells: &[String]) {
        let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        self.out.push_str(&line.join(","));
        self.out.push_str("\r\n");
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// One cell: defused, then quoted if it needs to be.
pub fn cell(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("陈梅"), "陈梅");
        assert_eq!(cell("a,b"), "\"a,b\"");
    }

    proptest! {
        #[test]
        fn no_cell_starts_a_formula(s in "\\PC*|[=+\\-@].*") {
            let c = cell(&s);
            let inner = c.strip_prefix('"').unwrap_or(&c);
            prop_assert!(!inner.starts_with(['=', '+', '-', '@']));
        }

        #[test]
        fn quoted_cells_round_trip(s in "\\PC*") {
            let c = cell(&s);
            let unquoted = match c.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
                Some(q) => q.replace("\"\"", "\""),
                None => c.clone(),
            };
            let defused = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
            let back = if defused { unquoted.strip_prefix('\'').unwrap_or(&unquoted).to_owned() } else { unquoted };
            prop_assert_eq!(back, s);
        }
    }
}
