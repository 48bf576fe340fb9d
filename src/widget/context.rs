//! What the embedding page passes along (`data-` attributes of the script tag and
//! `Staffel.open({context})`): checked by the same rules as a chat's context (a few short
//! keys with text values, see `chat::lifecycle::checked_context`), carried through the
//! dialog's forms as JSON, and handed to the agent with the chat (its `context` column) or,
//! for tickets and reports (which have no such column), as a block of the description.
use serde_json::{Map, Value};

use crate::error::{AppError, AppResult};

/// The longest context text read at all: twenty keys at their longest fit easily.
pub const CONTEXT_TEXT_MAX: usize = 16 * 1024;

/// The context a form or the dialog's address carries as JSON text ("" is none), checked;
/// `page` is the embedding page's address when the context does not name one.
pub fn parse(text: &str, page: Option<&str>) -> AppResult<Map<String, Value>> {
    let text = text.trim();
    if text.chars().count() > CONTEXT_TEXT_MAX {
        return Err(AppError::invalid_with("context", "validation.too_long", CONTEXT_TEXT_MAX));
    }
    let given: Value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(text).map_err(|_| AppError::invalid("context", "chat.context_invalid"))?
    };
    let page = page.map(str::trim).filter(|p| !p.is_empty());
    match crate::chat::lifecycle::checked_context(&given, page)? {
        Value::Object(map) => Ok(map),
        _ => Err(AppError::invalid("context", "chat.context_invalid")),
    }
}

/// The context as a Markdown block for a ticket's or a report's description: a fenced
/// block, so that every value is shown as the text it is (no link, no markup). A closing
/// fence must start its line with tildes; every line here starts with a key, which has
/// none, so no value can end the block early.
pub fn as_markdown(context: &Map<String, Value>, heading: &str) -> String {
    if context.is_empty() {
        return String::new();
    }
    let mut out = format!("\n\n{heading}\n\n~~~text\n");
    for (key, value) in context {
        out.push_str(key);
        out.push_str(": ");
        out.push_str(value.as_str().unwrap_or_default());
        out.push('\n');
    }
    out.push_str("~~~\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_is_checked_and_kept_as_text() {
        let map = parse(r#"{"kurs":"Physik 9b","id":42,"leer":null}"#, Some("https://lms.example.org/kurs/9")).unwrap();
        assert_eq!(map["kurs"], "Physik 9b");
        assert_eq!(map["id"], "42");
        assert_eq!(map["page"], "https://lms.example.org/kurs/9");
        assert!(!map.contains_key("leer"));
        assert!(parse("", None).unwrap().is_empty());
        for bad in ["[1]", "{\"a\":{\"b\":1}}", "{\"böser key!\":\"x\"}", "kein json", "{\"a\":\"\\u0007\"}"] {
            assert!(parse(bad, None).is_err(), "{bad}");
        }
        let long = format!("{{\"a\":\"{}\"}}", "x".repeat(501));
        assert!(parse(&long, None).is_err());
        let block = as_markdown(&parse(r#"{"kurs":"~~~\n<b>x</b>"}"#, None).unwrap_or_default(), "Kontext");
        assert!(block.is_empty(), "a control character in a value is refused, not shown");
        let block = as_markdown(&parse(r#"{"kurs":"~~~ <b>x</b>"}"#, None).unwrap(), "Kontext");
        assert!(block.contains("~~~text\nkurs: ~~~ <b>x</b>\n~~~\n"), "{block}");
    }
}
