//! Data protection (SPEC §9): retention (closed tickets and finished reports anonymised,
//! old chats and view records deleted), a person's data exported or deleted on request, and
//! the view log of who opened what.
//!
//! This sits beside `ladder`, above the domains: it reaches into tickets, reports, files,
//! chats and accounts at once, each change one transaction with its audit record.
pub mod person;
pub mod retention;
pub mod view_log;

/// What replaces free text and the names of the people involved.
pub const MARK: &str = "[anonymisiert]";

/// What a deleted person is called wherever their entries stay (the school's history).
pub const DELETED_PERSON: &str = "gelöschte Person";

/// Keys of a timeline entry's `data` whose text values can name a person or carry free
/// text (file names, the provider's reference, a provider's name stays: it is no person).
const PERSONAL_KEYS: [&str; 6] = ["name", "filename", "reference", "title", "message", "email"];

/// `data` of a timeline entry with personal text values replaced by `MARK`; numbers,
/// states and ids stay.
pub fn scrub_json(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(text) if PERSONAL_KEYS.contains(&key.as_str()) || text.contains('@') => {
                        *text = MARK.to_string();
                    }
                    _ => scrub_json(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(scrub_json),
        Value::String(text) if text.contains('@') => *text = MARK.to_string(),
        _ => {}
    }
}

/// `scrub_json` on stored JSON text; text that is no JSON is replaced as a whole.
pub fn scrub_json_text(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut value) => {
            scrub_json(&mut value);
            value.to_string()
        }
        Err(_) => "{}".to_string(),
    }
}
