//! Tera templates, loaded from the files embedded in the binary and overridden by a local
//! directory if one is configured. Pages (`web::page`) and mails (`mail`) render with them.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_embed::RustEmbed;

use crate::config::Settings;

#[derive(RustEmbed)]
#[folder = "templates/"]
#[include = "*.tera"]
struct EmbeddedTemplates;

/// Why the templates could not be loaded or one could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template {name} is not UTF-8")]
    NotUtf8 { name: String },
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the templates do not compile")]
    Compile(#[source] tera::Error),
    #[error("template {name} failed")]
    Render {
        name: String,
        #[source]
        source: tera::Error,
    },
}

#[derive(Clone)]
pub struct Templates {
    tera: std::sync::Arc<tera::Tera>,
}

impl Templates {
    /// The embedded templates, each replaced by a file of the same name under
    /// `templates_dir` when that is set.
    pub fn load(settings: &Settings) -> Result<Templates, TemplateError> {
        let mut sources: BTreeMap<String, String> = BTreeMap::new();
        for name in EmbeddedTemplates::iter() {
            let Some(file) = EmbeddedTemplates::get(&name) else { continue };
            let text = String::from_utf8(file.data.into_owned())
                .map_err(|_| TemplateError::NotUtf8 { name: name.to_string() })?;
            sources.insert(name.trim_end_matches(".tera").to_string(), text);
        }
        if let Some(dir) = &settings.templates_dir {
            collect_overrides(dir, dir, &mut sources)?;
        }
        let mut tera = tera::Tera::default();
        tera.register_filter("markdown", markdown_filter);
        tera.register_filter("filesize", filesize_filter);
        tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
            .map_err(TemplateError::Compile)?;
        Ok(Templates { tera: std::sync::Arc::new(tera) })
    }

    pub fn render(&self, name: &str, ctx: &tera::Context) -> Result<String, TemplateError> {
        self.tera.render(name, ctx).map_err(|source| TemplateError::Render { name: name.to_string(), source })
    }
}

/// `{{ text | markdown | safe }}`: what people wrote, as sanitised HTML (see `markdown`).
fn markdown_filter(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let text = value.as_str().unwrap_or_default();
    Ok(tera::Value::String(crate::markdown::people_html(text)))
}

/// `{{ bytes | filesize(lang=lang) }}`: "72,0 kB" in German, "72.0 kB" in English (Tera's
/// own `filesizeformat` knows only the English decimal point).
fn filesize_filter(
    value: &tera::Value,
    args: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let bytes = value.as_f64().unwrap_or_default();
    let german = args.get("lang").and_then(|l| l.as_str()) != Some("en");
    Ok(tera::Value::String(file_size(bytes, german)))
}

fn file_size(bytes: f64, german: bool) -> String {
    let (amount, unit) = match bytes {
        b if b < 1000.0 => return format!("{b} B"),
        b if b < 1_000_000.0 => (b / 1000.0, "kB"),
        b if b < 1_000_000_000.0 => (b / 1_000_000.0, "MB"),
        b => (b / 1_000_000_000.0, "GB"),
    };
    let text = format!("{amount:.1} {unit}");
    if german {
        text.replace('.', ",")
    } else {
        text
    }
}

fn collect_overrides(root: &Path, dir: &Path, sources: &mut BTreeMap<String, String>) -> Result<(), TemplateError> {
    let read_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| TemplateError::Read { path, source }
    };
    for entry in std::fs::read_dir(dir).map_err(read_error(dir))?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_overrides(root, &path, sources)?;
        } else if path.extension().is_some_and(|e| e == "tera") {
            let name = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&path).map_err(read_error(&path))?;
            sources.insert(name.trim_end_matches(".tera").to_string(), text);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_sizes_in_the_readers_language() {
        assert_eq!(super::file_size(72_000.0, true), "72,0 kB");
        assert_eq!(super::file_size(72_000.0, false), "72.0 kB");
        assert_eq!(super::file_size(999.0, true), "999 B");
        assert_eq!(super::file_size(10_485_760.0, true), "10,5 MB");
    }
}
