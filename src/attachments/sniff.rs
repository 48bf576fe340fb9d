//! What a file is, judged by its bytes (magic numbers), never by the name or the
//! Content-Type the browser sent: a page named `.png` is still a page, and a page must not
//! reach another user's browser from our origin. Only types that are harmless to hand out
//! are accepted: raster images, PDF, plain text and the ZIP-based office formats.

/// An accepted type: its MIME type, the extensions it may carry, and whether a browser may
/// show it inline (raster images only; everything else is a download).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub mime: &'static str,
    pub extensions: &'static [&'static str],
    pub inline: bool,
}

const PNG: Kind = Kind { mime: "image/png", extensions: &["png"], inline: true };
const JPEG: Kind = Kind { mime: "image/jpeg", extensions: &["jpg", "jpeg"], inline: true };
const GIF: Kind = Kind { mime: "image/gif", extensions: &["gif"], inline: true };
const WEBP: Kind = Kind { mime: "image/webp", extensions: &["webp"], inline: true };
const PDF: Kind = Kind { mime: "application/pdf", extensions: &["pdf"], inline: false };
const TEXT: Kind = Kind { mime: "text/plain; charset=utf-8", extensions: &["txt", "log"], inline: false };
const CSV: Kind = Kind { mime: "text/csv; charset=utf-8", extensions: &["csv"], inline: false };

/// The ZIP-based office formats, recognised by extension once the bytes are a ZIP archive
/// with the format's own marker inside (OOXML's `[Content_Types].xml`, ODF's `mimetype`).
const OFFICE: [Kind; 6] = [
    Kind {
        mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        extensions: &["docx"],
        inline: false,
    },
    Kind {
        mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        extensions: &["xlsx"],
        inline: false,
    },
    Kind {
        mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        extensions: &["pptx"],
        inline: false,
    },
    Kind { mime: "application/vnd.oasis.opendocument.text", extensions: &["odt"], inline: false },
    Kind { mime: "application/vnd.oasis.opendocument.spreadsheet", extensions: &["ods"], inline: false },
    Kind { mime: "application/vnd.oasis.opendocument.presentation", extensions: &["odp"], inline: false },
];

/// What the upload form and the error messages name as accepted.
/// Every MIME type a stored file can have (what a download's `Content-Type` says).
pub fn mime_types() -> impl Iterator<Item = &'static str> {
    [PNG, JPEG, GIF, WEBP, PDF, TEXT, CSV].into_iter().chain(OFFICE).map(|kind| kind.mime)
}

pub const ACCEPTED: &str = "PNG, JPEG, GIF, WebP, PDF, TXT, LOG, CSV, DOCX, XLSX, PPTX, ODT, ODS, ODP";

/// The `accept` attribute of the file inputs (a hint for the browser's picker only).
pub const ACCEPT_ATTRIBUTE: &str =
    ".png,.jpg,.jpeg,.gif,.webp,.pdf,.txt,.log,.csv,.docx,.xlsx,.pptx,.odt,.ods,.odp,image/png,image/jpeg,image/gif,image/webp";

fn extension(filename: &str) -> Option<String> {
    filename.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Text that a browser would render as a document (HTML, SVG, XML with scripts) is refused
/// even as `.txt`: it is served as plain text, but nobody needs to upload a web page.
fn looks_like_markup(text: &str) -> bool {
    let start: String = text.trim_start_matches('\u{feff}').trim_start().chars().take(512).collect();
    let lower = start.to_lowercase();
    lower.starts_with('<')
        && ["<!doctype", "<html", "<head", "<body", "<script", "<svg", "<?xml", "<iframe"]
            .iter()
            .any(|tag| lower.contains(tag))
}

/// The type of these bytes under this (sanitised) name, or None if it is not one we accept.
pub fn detect(bytes: &[u8], filename: &str) -> Option<Kind> {
    let ext = extension(filename);
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(PNG);
    }
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        return Some(JPEG);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some(GIF);
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(WEBP);
    }
    if bytes.starts_with(b"%PDF-") {
        return Some(PDF);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let kind = OFFICE.iter().find(|k| ext.as_deref().is_some_and(|e| k.extensions.contains(&e)))?;
        let marker_found = if kind.mime.contains("opendocument") {
            // ODF: the first entry is the uncompressed `mimetype` file naming the format.
            bytes.len() > 38
                && &bytes[30..38] == b"mimetype"
                && contains(&bytes[..bytes.len().min(200)], kind.mime.as_bytes())
        } else {
            contains(bytes, b"[Content_Types].xml")
        };
        return marker_found.then_some(*kind);
    }
    // Plain text only under a text extension: valid UTF-8, no NUL, not markup.
    let text_kind = match ext.as_deref() {
        Some("txt") | Some("log") => TEXT,
        Some("csv") => CSV,
        _ => return None,
    };
    let text = std::str::from_utf8(bytes).ok()?;
    if text.contains('\0') || looks_like_markup(text) {
        return None;
    }
    Some(text_kind)
}

/// The name made to fit the sniffed type: a PNG called `bild.exe` is stored as `bild.png`,
/// so that the file a person saves opens as what it is.
pub fn fit_name(filename: &str, kind: Kind) -> String {
    match extension(filename) {
        Some(ext) if kind.extensions.contains(&ext.as_str()) => filename.to_string(),
        Some(_) => {
            let stem = filename.rsplit_once('.').map(|(s, _)| s).unwrap_or(filename);
            format!("{}.{}", if stem.is_empty() { "datei" } else { stem }, kind.extensions[0])
        }
        None => format!("{filename}.{}", kind.extensions[0]),
    }
}

/// A file name safe to store and to send back in a header: the last path segment, without
/// control characters, quotes or characters that mean something to a file system, at most
/// 120 characters, never empty or hidden.
pub fn sanitise(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*' | ';' | '%') { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let mut name: String = cleaned.chars().take(120).collect();
    if cleaned.chars().count() > 120 {
        // Keep the extension of a long name.
        if let Some((_, ext)) = cleaned.rsplit_once('.') {
            if ext.chars().count() <= 10 {
                name = format!("{}.{}", cleaned.chars().take(110).collect::<String>(), ext);
            }
        }
    }
    if name.is_empty() {
        "datei".to_string()
    } else {
        name
    }
}

/// Whether a stored type may be shown inline: raster images only.
pub fn inline(mime: &str) -> bool {
    [PNG, JPEG, GIF, WEBP].iter().any(|k| k.mime == mime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_judged_by_content() {
        assert_eq!(detect(b"\x89PNG\r\n\x1a\nrest", "x.png").unwrap().mime, "image/png");
        assert_eq!(detect(b"\x89PNG\r\n\x1a\nrest", "x.txt").unwrap().mime, "image/png");
        assert!(detect(b"<!DOCTYPE html><script>alert(1)</script>", "bild.png").is_none());
        assert!(detect(b"<html><body>hi</body></html>", "notiz.txt").is_none());
        assert!(detect(b"MZ\x90\x00\x03\x00\x00\x00", "bild.png").is_none());
        assert!(detect(b"Drucker meldet Fehler 0x80\n", "log.txt").is_some());
        assert!(detect(b"Drucker meldet Fehler 0x80\n", "log.html").is_none());
        assert!(detect(b"a\0b", "log.txt").is_none());
        assert!(detect(b"\xff\xfe", "log.txt").is_none());
        assert!(detect(b"PK\x03\x04 [Content_Types].xml", "a.docx").is_some());
        assert!(detect(b"PK\x03\x04 [Content_Types].xml", "a.zip").is_none());
        assert!(detect(b"PK\x03\x04 nothing", "a.docx").is_none());
    }

    #[test]
    fn names_are_made_safe() {
        assert_eq!(sanitise("C:\\Users\\x\\Bild 1.png"), "Bild 1.png");
        assert_eq!(sanitise("../../etc/passwd"), "passwd");
        assert_eq!(sanitise("a\"b\r\n.png"), "a_b.png");
        assert_eq!(sanitise(".htaccess"), "htaccess");
        assert_eq!(sanitise(""), "datei");
        assert_eq!(fit_name("bild.exe", PNG), "bild.png");
        assert_eq!(fit_name("bild.JPG", JPEG), "bild.JPG");
        assert_eq!(fit_name("screenshot", PNG), "screenshot.png");
    }
}
