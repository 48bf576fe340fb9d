//! Reading a message: just enough MIME to check what a mail client would show.

#[derive(Debug)]
pub(crate) struct Mime {
    headers: Vec<(String, String)>,
    /// (content type, decoded body) of each leaf part; a single-part mail has one.
    parts: Vec<(String, String)>,
}

impl Mime {
    pub(crate) fn parse(raw: &[u8]) -> Mime {
        let raw = String::from_utf8_lossy(raw).replace("\r\n", "\n");
        let (headers, body) = split_entity(&raw);
        let mut parts = Vec::new();
        collect_parts(&headers, body, &mut parts);
        Mime { headers, parts }
    }

    pub(crate) fn header(&self, name: &str) -> Option<String> {
        header_of(&self.headers, name)
    }

    pub(super) fn subject(&self) -> String {
        decode_words(&self.header("Subject").expect("a Subject header"))
    }

    pub(super) fn part(&self, content_type: &str) -> &str {
        self.parts
            .iter()
            .find(|(ct, _)| ct.starts_with(content_type))
            .map(|(_, body)| body.as_str())
            .unwrap_or_else(|| panic!("no {content_type} part in {:?}", self.parts))
    }
}

fn header_of(headers: &[(String, String)], name: &str) -> Option<String> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
}

/// Headers (unfolded) and body of one entity.
fn split_entity(text: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    (headers, body)
}

fn collect_parts(headers: &[(String, String)], body: &str, out: &mut Vec<(String, String)>) {
    let content_type = header_of(headers, "Content-Type").unwrap_or_else(|| "text/plain".into());
    if content_type.to_lowercase().starts_with("multipart/") {
        let boundary = content_type
            .split(';')
            .find_map(|p| p.trim().strip_prefix("boundary="))
            .expect("a boundary")
            .trim_matches('"')
            .to_string();
        let delimiter = format!("--{boundary}");
        for chunk in body.split(&delimiter).skip(1) {
            if chunk.starts_with("--") {
                break;
            }
            let chunk = chunk.strip_prefix('\n').unwrap_or(chunk);
            let (part_headers, part_body) = split_entity(chunk);
            collect_parts(&part_headers, part_body, out);
        }
        return;
    }
    let encoding = header_of(headers, "Content-Transfer-Encoding").unwrap_or_default().to_lowercase();
    let decoded = match encoding.as_str() {
        "quoted-printable" => quoted_printable(body),
        "base64" => {
            use base64::Engine;
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD.decode(compact).expect("valid base64 body");
            String::from_utf8(bytes).expect("UTF-8 body")
        }
        _ => body.to_string(),
    };
    out.push((content_type.to_lowercase(), decoded));
}

fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(byte) = u8::from_str_radix(hex, 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("UTF-8 after quoted-printable")
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) in a header value.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let before = &rest[..start];
        if !(last_was_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        let word = &rest[start + 2..];
        let mut pieces = word.splitn(3, '?');
        let (Some(_charset), Some(encoding), Some(tail)) = (pieces.next(), pieces.next(), pieces.next()) else {
            out.push_str(&rest[start..]);
            return out;
        };
        let end = tail.find("?=").expect("an encoded word ends with ?=");
        let text = &tail[..end];
        let decoded = if encoding.eq_ignore_ascii_case("b") {
            use base64::Engine;
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(text).expect("base64 word"))
                .expect("UTF-8 word")
        } else {
            quoted_printable(&text.replace('_', " "))
        };
        out.push_str(&decoded);
        rest = &tail[end + 2..];
        last_was_word = true;
    }
    out.push_str(rest);
    out
}

/// Resolves the character references Tera's escaping produces.
pub(super) fn unescape_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let Some(end) = tail.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let entity = &tail[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The reset link in a mail body: `http://staffel.test/password/reset/<64 hex>`.
pub(super) fn reset_link(body: &str) -> String {
    let prefix = "http://staffel.test/password/reset/";
    let start = body.find(prefix).unwrap_or_else(|| panic!("no reset link in {body}"));
    let token: String = body[start + prefix.len()..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    assert_eq!(token.len(), 64, "a 256-bit token in hex: {token}");
    format!("/password/reset/{token}")
}

#[test]
fn mime_helpers_decode_what_they_claim() {
    assert_eq!(quoted_printable("a=C3=BCb=\nc"), "aübc");
    assert_eq!(
        decode_words("=?utf-8?b?SWhyIExpbmsgenVtIFp1csO8Y2tzZXR6ZW4=?= =?utf-8?q?_des?="),
        "Ihr Link zum Zurücksetzen des"
    );
    assert_eq!(decode_words("plain"), "plain");
    assert_eq!(unescape_html("a&#x2F;b&amp;c&#47;&x"), "a/b&c/&x");
}
