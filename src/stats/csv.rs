//! A table as CSV (RFC 4180, `;`-free: comma separated, every cell quoted when needed).
//! A cell that a spreadsheet would run as a formula (starting with = + - @, or a tab or
//! carriage return before one) gets a leading apostrophe: school names, search queries and
//! article titles are typed by people, and a download must never become a program.
use super::tables::Table;

pub fn neutralised(cell: &str) -> String {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let cell = if risky { format!("'{cell}") } else { cell.to_string() };
    if cell.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

pub fn render(table: &Table) -> String {
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let row: Vec<String> = cells.iter().map(|c| neutralised(c)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    };
    line(&table.columns);
    for row in &table.rows {
        line(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::neutralised;

    #[test]
    fn formulas_are_defused_and_quotes_doubled() {
        assert_eq!(neutralised("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(neutralised("+49 30"), "'+49 30");
        assert_eq!(neutralised("-1"), "'-1");
        assert_eq!(neutralised("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralised("Schule, Nord"), "\"Schule, Nord\"");
        assert_eq!(neutralised("42"), "42");
    }
}
