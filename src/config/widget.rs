//! The support widget's settings: which origins may embed it and the secrets their user
//! assertions are signed with. Read with the other settings; checked once at start, since a
//! typo here would otherwise show only as a widget that silently gets nothing.
use super::{list_entries, Settings};

impl Settings {
    pub(super) fn validate_widget(&self) -> Result<(), String> {
        if !(10..=3600).contains(&self.widget_assertion_max_secs) {
            return Err(format!(
                "STAFFEL_WIDGET_ASSERTION_MAX_SECS must be between 10 and 3600, not {}",
                self.widget_assertion_max_secs
            ));
        }
        for entry in list_entries(&self.widget_origins) {
            if web_origin(entry).is_none() {
                return Err(format!(
                    "STAFFEL_WIDGET_ORIGINS: \"{entry}\" is not an origin (scheme and host, e.g. https://lms.example.org)"
                ));
            }
        }
        let origins = self.widget_origins();
        for entry in list_entries(&self.widget_secrets) {
            // The entry is not repeated in the message: it may be a secret without its origin.
            let Some((origin, secret)) = entry.split_once('=') else {
                return Err("STAFFEL_WIDGET_SECRETS: every entry must be origin=secret".into());
            };
            let Some(origin) = web_origin(origin).filter(|o| origins.contains(o)) else {
                return Err(format!("STAFFEL_WIDGET_SECRETS: {origin} is not in STAFFEL_WIDGET_ORIGINS"));
            };
            if secret.len() < 32 {
                return Err(format!("STAFFEL_WIDGET_SECRETS: the secret of {origin} needs at least 32 characters"));
            }
        }
        Ok(())
    }

    /// The origins that may embed the widget, as browsers send them (lowercase, no path).
    pub fn widget_origins(&self) -> Vec<String> {
        list_entries(&self.widget_origins).filter_map(web_origin).collect()
    }

    /// Whether pages of this origin (an `Origin` header's value) may embed the widget.
    pub fn widget_origin_allowed(&self, origin: &str) -> bool {
        web_origin(origin).is_some_and(|o| self.widget_origins().contains(&o))
    }

    /// The secret an integration signs its user assertions with, if it has one.
    pub fn widget_secret(&self, origin: &str) -> Option<&str> {
        let wanted = web_origin(origin)?;
        list_entries(&self.widget_secrets).find_map(|entry| {
            let (o, secret) = entry.split_once('=')?;
            (web_origin(o)? == wanted).then_some(secret)
        })
    }
}

/// A web origin as a browser's `Origin` header names it (`https://host[:port]`, lowercase,
/// default ports left out), or None for anything else (a path, a query, another scheme,
/// credentials, `null`).
pub fn web_origin(text: &str) -> Option<String> {
    let text = text.trim();
    let url = url::Url::parse(text).ok()?;
    let bare = text.strip_suffix('/').unwrap_or(text);
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && !bare.contains(['?', '#'])
        && bare.matches('/').count() == 2;
    plain.then(|| url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_and_anything_else_refused() {
        assert_eq!(web_origin("https://LMS.example.org/").as_deref(), Some("https://lms.example.org"));
        assert_eq!(web_origin("https://lms.example.org:443").as_deref(), Some("https://lms.example.org"));
        assert_eq!(web_origin("http://127.0.0.1:8081").as_deref(), Some("http://127.0.0.1:8081"));
        for bad in [
            "lms.example.org",
            "ftp://lms.example.org",
            "https://lms.example.org/kurs",
            "https://a@lms.example.org",
            "https://lms.example.org/?x",
            "https://lms.example.org#x",
            "null",
            "",
        ] {
            assert_eq!(web_origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn widget_settings_are_checked_at_start() {
        let secret = "s".repeat(32);
        let with = |origins: &str, secrets: &str| Settings {
            widget_origins: origins.into(),
            widget_secrets: secrets.into(),
            ..Default::default()
        };
        let good = with("https://lms.example.org, http://127.0.0.1:8081", &format!("https://lms.example.org={secret}"));
        assert!(good.validate().is_ok());
        assert_eq!(good.widget_origins(), ["https://lms.example.org", "http://127.0.0.1:8081"]);
        assert!(
            good.widget_origin_allowed("https://LMS.example.org")
                && !good.widget_origin_allowed("https://evil.example")
        );
        assert_eq!(good.widget_secret("https://LMS.example.org"), Some(secret.as_str()));
        assert_eq!(good.widget_secret("http://127.0.0.1:8081"), None);
        assert!(with("lms.example.org", "").validate().unwrap_err().contains("STAFFEL_WIDGET_ORIGINS"));
        let unknown = with("https://a.example", &format!("https://b.example={secret}")).validate().unwrap_err();
        assert!(unknown.contains("not in STAFFEL_WIDGET_ORIGINS"), "{unknown}");
        let short = with("https://a.example", "https://a.example=kurz").validate().unwrap_err();
        assert!(short.contains("at least 32"), "{short}");
        let bare = with("https://a.example", &secret).validate().unwrap_err();
        assert!(bare.contains("origin=secret") && !bare.contains(&secret), "{bare}");
    }
}
