//! Article files: YAML front matter between `---` lines, then Markdown. Errors name the
//! line of the file, so an author can find the mistake.
use entities::ArticleStatus;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleSource {
    pub slug: String,
    pub title: String,
    pub audience: Vec<String>,
    pub service: Option<String>,
    pub tags: Vec<String>,
    pub school: Option<String>,
    pub status: ArticleStatus,
    pub body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: Option<String>,
    #[serde(default)]
    audience: Vec<String>,
    service: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    school: Option<String>,
    status: Option<String>,
}

pub const AUDIENCES: [&str; 4] = ["pupil", "teacher", "school_admin", "agent"];
pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 200_000;

/// A problem with one file, at a line (1-based) when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

fn at(line: usize, message: impl Into<String>) -> SourceError {
    SourceError { line: Some(line), message: message.into() }
}

/// A slug as a file name gives it: lowercase letters, digits and hyphens.
pub fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 80
        && slug.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The line (1-based, in the whole file) of a front matter key, for messages about its value.
pub fn key_line(text: &str, key: &str) -> Option<usize> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let prefix = format!("{key}:");
    text.lines()
        .enumerate()
        .skip(1)
        .take_while(|(_, line)| line.trim_end() != "---")
        .find(|(_, line)| line.trim_start().starts_with(&prefix))
        .map(|(i, _)| i + 1)
}

pub fn parse(slug: &str, text: &str) -> Result<ArticleSource, SourceError> {
    if !valid_slug(slug) {
        return Err(SourceError {
            line: None,
            message: format!("file name \"{slug}\" is not a valid slug (lowercase letters, digits, hyphens)"),
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        Some(first) if first.trim_end() == "---" => {}
        _ => return Err(at(1, "the file must start with a front matter line \"---\"")),
    }
    let mut yaml = String::new();
    let mut closing_line = None;
    let mut consumed = text.split_inclusive('\n').next().map(str::len).unwrap_or(0);
    for (i, line) in lines.enumerate() {
        consumed += line.len();
        if line.trim_end() == "---" {
            closing_line = Some(i + 2);
            break;
        }
        yaml.push_str(line);
    }
    let Some(closing_line) = closing_line else {
        return Err(at(1, "the front matter is not closed by a \"---\" line"));
    };
    let meta: FrontMatter = serde_yaml::from_str(&yaml).map_err(|e| {
        // serde_yaml counts from the first line after the opening `---`.
        let line = e.location().map(|l| l.line() + 1).unwrap_or(2);
        at(line, format!("front matter: {}", e.to_string().split(" at line").next().unwrap_or("invalid YAML")))
    })?;
    let line_of = |key: &str| -> usize {
        yaml.lines().position(|l| l.trim_start().starts_with(&format!("{key}:"))).map(|p| p + 2).unwrap_or(2)
    };
    let title = meta.title.map(|t| t.trim().to_string()).unwrap_or_default();
    if title.is_empty() {
        return Err(at(line_of("title"), "title is missing"));
    }
    if title.chars().count() > TITLE_MAX {
        return Err(at(line_of("title"), format!("title is longer than {TITLE_MAX} characters")));
    }
    if meta.audience.is_empty() {
        return Err(at(line_of("audience"), "audience is missing: a list of pupil, teacher, school_admin, agent"));
    }
    for a in &meta.audience {
        if !AUDIENCES.contains(&a.as_str()) {
            return Err(at(
                line_of("audience"),
                format!("unknown audience \"{a}\" (pupil, teacher, school_admin, agent)"),
            ));
        }
    }
    let status = match meta.status.as_deref() {
        None => ArticleStatus::Published,
        Some(text) => ArticleStatus::parse(text)
            .ok_or_else(|| at(line_of("status"), format!("status must be draft or published, not \"{text}\"")))?,
    };
    let tags: Vec<String> = meta.tags.iter().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()).collect();
    if tags.iter().any(|t| t.contains(',') || t.chars().count() > 40) {
        return Err(at(line_of("tags"), "tags must be short words without commas"));
    }
    let body = text[consumed..].trim_start_matches(['\r', '\n']).to_string();
    if body.len() > BODY_MAX {
        return Err(at(closing_line + 1, format!("the article is longer than {BODY_MAX} bytes")));
    }
    Ok(ArticleSource {
        slug: slug.to_string(),
        title,
        audience: meta.audience,
        service: meta.service.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        tags,
        school: meta.school.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        status,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_complete_article() {
        let text =
            "---\ntitle: \"WLAN\"\naudience: [pupil, teacher]\nservice: wifi\ntags: [WLAN, netz]\n---\n\n# Hallo\n";
        let a = parse("wlan-hilfe", text).unwrap();
        assert_eq!(a.title, "WLAN");
        assert_eq!(a.audience, vec!["pupil", "teacher"]);
        assert_eq!(a.tags, vec!["wlan", "netz"]);
        assert_eq!(a.status, ArticleStatus::Published);
        assert_eq!(a.body, "# Hallo\n");
    }

    #[test]
    fn errors_name_the_line() {
        let broken = "---\ntitle: ok\naudience: [pupil\nservice: wifi\n---\nText";
        let e = parse("x", broken).unwrap_err();
        assert!(e.line.unwrap() >= 3, "{e}");
        let unknown = "---\ntitle: ok\naudience: [pupil, hacker]\n---\nText";
        assert_eq!(parse("x", unknown).unwrap_err().line, Some(3));
        assert_eq!(parse("x", "no front matter").unwrap_err().line, Some(1));
        assert_eq!(
            parse("x", "---\ntitle: a\n").unwrap_err().message,
            "the front matter is not closed by a \"---\" line"
        );
        assert!(parse("x", "---\ntitle: a\naudience: [pupil]\ncolour: red\n---\n").is_err());
        assert!(parse("Bad_Slug", "---\ntitle: a\naudience: [pupil]\n---\n").is_err());
    }
}
