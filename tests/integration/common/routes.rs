//! Matching concrete paths against the mounted routes' URI templates.

/// Whether a concrete path fits a route's URI template (`<x>` one segment, `<x..>` the
/// rest); the query is Rocket's business.
pub fn fits(template: &str, path: &str) -> bool {
    let template = template.split('?').next().unwrap_or(template);
    let path = path.split('?').next().unwrap_or(path);
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    for (i, seg) in t.iter().enumerate() {
        if seg.starts_with('<') && seg.ends_with("..>") {
            return p.len() > i;
        }
        match p.get(i) {
            Some(actual) if seg.starts_with('<') => {
                if actual.is_empty() {
                    return false;
                }
            }
            Some(actual) if actual == seg => {}
            _ => return false,
        }
    }
    t.len() == p.len()
}
