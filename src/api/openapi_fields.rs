//! Field schemas that say what the server's checks (`validate`) accept, so that the
//! OpenAPI document and the behaviour agree (a schema-valid request is not refused for its
//! shape, a schema-violating one is), and the pass that adds what every operation of a
//! kind answers.
use rocket::serde::json::{json, Value};

/// The characters `char::is_control` refuses, as a regex class body.
const CONTROL: &str = "\\u0000-\\u001F\\u007F-\\u009F";
/// The same, but line feed and tab allowed (multi-line texts).
const CONTROL_BUT_LINES: &str = "\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F";
/// What `str::trim` removes (Unicode `White_Space`), spelled out: a regex's `\s` differs.
const SPACE: &str = "\\u0009-\\u000D\\u0020\\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";

fn text_pattern(allowed_controls_excluded: &str) -> String {
    format!("^[^{allowed_controls_excluded}]*[^{SPACE}{CONTROL}][^{allowed_controls_excluded}]*$")
}

/// A single-line text (`validate::text`): something besides spaces, no control characters.
pub fn line(max: usize) -> Value {
    json!({ "type": "string", "minLength": 1, "maxLength": max, "pattern": text_pattern(CONTROL) })
}

/// A multi-line text (`validate::multiline`): line breaks and tabs allowed, Markdown.
pub fn lines(max: usize) -> Value {
    json!({ "type": "string", "minLength": 1, "maxLength": max, "pattern": text_pattern(CONTROL_BUT_LINES) })
}

/// A multi-line text that may be left out or empty.
pub fn optional_lines(max: usize) -> Value {
    json!({ "type": "string", "maxLength": max, "pattern": format!("^[^{CONTROL_BUT_LINES}]*$") })
}

/// An e-mail address naming someone (`validate::email`): one `@`, a dot inside the domain,
/// no spaces, control characters or any of `<>,;"()[]\`.
pub fn email(description: &str) -> Value {
    let atom = format!("[^@{SPACE}{CONTROL}<>,;\"()\\[\\]\\\\]");
    let edge = format!("[^@.{SPACE}{CONTROL}<>,;\"()\\[\\]\\\\]");
    json!({
        "type": "string", "maxLength": 254, "description": description,
        "pattern": format!("^{atom}+@{edge}{atom}*\\.{atom}*{edge}$")
    })
}

/// A slug (`validate::slug`) naming a record.
pub fn slug(description: &str) -> Value {
    json!({ "type": "string", "maxLength": 48, "pattern": "^[a-z](-?[a-z0-9])*$", "description": description })
}

/// What every operation of a kind may answer, added where the operation does not say:
/// a JSON body can be unreadable (400), too large (413), of another type (415) or of the
/// wrong shape (422); a query parameter given twice, empty or unparsable is refused (422),
/// and a given string parameter is never empty.
pub fn conform(doc: &mut Value) {
    let error = json!({ "$ref": "#/components/responses/Error" });
    let Some(paths) = doc["paths"].as_object_mut() else { return };
    for operations in paths.values_mut() {
        let Some(operations) = operations.as_object_mut() else { continue };
        for operation in operations.values_mut() {
            let mut answers: Vec<&str> = Vec::new();
            if operation.get("requestBody").is_some() {
                answers.extend(["400", "413", "415", "422"]);
            }
            if let Some(parameters) = operation.get_mut("parameters").and_then(Value::as_array_mut) {
                for parameter in parameters.iter_mut().filter(|p| p["in"] == "query") {
                    answers.push("422");
                    let schema = &mut parameter["schema"];
                    if schema["type"] == "string" && schema.get("enum").is_none() && schema.get("minLength").is_none() {
                        schema["minLength"] = json!(1);
                    }
                }
            }
            let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { continue };
            for answer in answers {
                responses.entry(answer).or_insert_with(|| error.clone());
            }
        }
    }
}
