//! CSV export of user text, safe to open in a spreadsheet: RFC 4180 quoting,
//! and no formula injection (a cell starting with `=`, `+`, `-`, `@`, a tab
//! or a carriage return is prefixed with `'`, as OWASP advises).
//!
//! Spreadsheets are looser than OWASP's list: a byte-order mark before the
//! `=` is skipped, a fullwidth `＝` (what a Chinese input method types) is
//! taken as `=`, and where the list separator is `;` (set by the reader's
//! locale, not by us) a `;=` inside a cell starts a new cell with a formula.
//! Those are defused the same way: a `'` before the character.

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
    let defused = defuse(value);
    if defused.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// Characters a spreadsheet may read as the start of a formula.
const FORMULA_START: [char; 10] = [
    '=', '+', '-', '@', '\t', '\r', '\u{FEFF}', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}',
];

/// `'` before a formula start at the beginning of the cell and after every
/// `;` (a cell boundary where `;` separates cells).
fn defuse(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 1);
    let mut at_cell_start = true;
    for c in value.chars() {
        if at_cell_start && FORMULA_START.contains(&c) {
            out.push('\'');
        }
        out.push(c);
        at_cell_start = c == ';';
    }
    out
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
        assert_eq!(cell("\u{FEFF}=1+1"), "'\u{FEFF}=1+1");
        assert_eq!(cell("\u{FF1D}1+1"), "'\u{FF1D}1+1");
        assert_eq!(cell("ok;=cmd|' /C calc'!A0"), "\"ok;'=cmd|' /C calc'!A0\"");
        assert_eq!(cell("a;b"), "\"a;b\"");
        assert_eq!(cell("陈梅"), "陈梅");
        assert_eq!(cell("a,b"), "\"a,b\"");
    }

    /// The cell's text as a reader sees it: quotes removed.
    fn unquote(c: &str) -> String {
        match c.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            Some(q) => q.replace("\"\"", "\""),
            None => c.to_owned(),
        }
    }

    proptest! {
        #[test]
        fn no_cell_starts_a_formula(s in "\\PC*|[=+\\-@\u{FEFF}\u{FF1D}\t].*|.*;[=+\\-@\u{FEFF}\u{FF1D}].*") {
            let text = unquote(&cell(&s));
            // Neither where a reader starts the cell nor after any `;`.
            for piece in text.split(';') {
                prop_assert!(!piece.starts_with(FORMULA_START), "{piece:?} in {text:?}");
            }
        }

        #[test]
        fn defusing_only_adds_quote_marks(s in "[^']*") {
            let text = unquote(&cell(&s));
            // Every `'` added stands right before a formula start; taking
            // them out gives the text back.
            let mut back = String::new();
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '\'' && chars.peek().is_some_and(|n| FORMULA_START.contains(n)) {
                    continue;
                }
                back.push(c);
            }
            prop_assert_eq!(back, s);
        }
    }
}
