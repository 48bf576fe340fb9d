//! Which service a problem described in words is about, for preselecting the service when a
//! school admin escalates a teacher's report (a ticket without a service reaches the desk
//! with no provider to suggest).
//!
//! The rule, deliberately simple so that a school admin can predict it and a test can pin
//! it: the text is folded (lower case, ä→ae, ö→oe, ü→ue, ß→ss, hyphens inside words
//! dropped, so "E-Mail" is "email") and cut into words. Each active service has keywords:
//! the ones below for the default catalogue, plus the words of its slug and German name
//! (four letters or more), so an operator's own service ("Untis") is found by its name.
//! A keyword of five letters or more matches any word that contains it (compounds:
//! "Laserdrucker", "Beamerkabel"), one of four letters a word it begins ("Akkus"), and one
//! of three letters or fewer only itself (so "lan" is not found in "WLAN", nor "app" in
//! "Apple"). Every keyword that matches counts once; one that matches in what is
//! affected (the report's headline) counts twice. The service with the highest score is
//! suggested; none when nothing matched or two services tie for the top. The FAQ search
//! is not asked: its hits for short headlines are too often off-topic to trust here.
use entities::service;

/// Keywords of the default catalogue's services, folded as `fold` folds text.
const KEYWORDS: &[(&str, &[&str])] = &[
    (
        "accounts",
        &[
            "passwort",
            "kennwort",
            "anmeld",
            "login",
            "einlogg",
            "konto",
            "benutzer",
            "zugangsdaten",
            "gesperrt",
            "account",
        ],
    ),
    ("lms", &["lernplattform", "moodle", "itslearning", "mebis", "logineo", "lernraum", "lms", "kursraum"]),
    ("email", &["email", "mail", "postfach", "outlook", "thunderbird", "posteingang", "spam", "verteiler"]),
    ("wifi", &["wlan", "wifi", "funknetz", "hotspot", "eduroam", "ssid", "accesspoint"]),
    ("network", &["internet", "netzwerk", "netz", "lan", "router", "switch", "firewall", "proxy", "dns", "kabelnetz"]),
    (
        "presentation",
        &[
            "beamer",
            "projektor",
            "display",
            "whiteboard",
            "smartboard",
            "tafel",
            "hdmi",
            "vga",
            "leinwand",
            "airplay",
            "miracast",
            "dokumentenkamera",
            "appletv",
            "praesentation",
        ],
    ),
    ("printing", &["drucker", "drucken", "druckt", "ausdruck", "kopier", "toner", "scanner", "scannen", "papierstau"]),
    (
        "devices",
        &[
            "tablet",
            "ipad",
            "laptop",
            "notebook",
            "rechner",
            "computer",
            "pc",
            "akku",
            "ladekoffer",
            "ladewagen",
            "tastatur",
            "maus",
            "chromebook",
            "touchpad",
        ],
    ),
    (
        "video",
        &["videokonferenz", "video", "bigbluebutton", "bbb", "jitsi", "teams", "zoom", "webex", "mikrofon", "headset"],
    ),
    ("cloud", &["cloud", "nextcloud", "onedrive", "dropbox", "sharepoint", "dateiablage", "hochladen", "upload"]),
    (
        "software",
        &[
            "software",
            "programm",
            "app",
            "apps",
            "installier",
            "update",
            "lizenz",
            "office",
            "excel",
            "powerpoint",
            "browser",
            "geogebra",
        ],
    ),
    ("privacy", &["datenschutz", "dsgvo", "einwilligung", "personenbezogen", "datenpanne", "auskunftsersuchen"]),
];

/// Lower case, umlauts and ß spelled out, hyphens inside words dropped.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            '-' | '\u{AD}' => {}
            c => out.push(c),
        }
    }
    out
}

fn words(text: &str) -> Vec<String> {
    fold(text).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

fn matches(keyword: &str, words: &[String]) -> bool {
    match keyword.chars().count() {
        0..=3 => words.iter().any(|w| w == keyword),
        4 => words.iter().any(|w| w.starts_with(keyword)),
        _ => words.iter().any(|w| w.contains(keyword)),
    }
}

/// A service's keywords: the catalogue's for its slug, and the words of its slug and name.
fn keywords_of(s: &service::Model) -> Vec<String> {
    let mut out: Vec<String> = KEYWORDS
        .iter()
        .filter(|(slug, _)| *slug == s.slug)
        .flat_map(|(_, words)| words.iter().map(|w| w.to_string()))
        .collect();
    for word in words(&s.slug).into_iter().chain(words(&s.name_de)) {
        if word.chars().count() >= 4 && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// The slug of the service the text is most likely about (see the module's rule), among
/// the active services given; `headline` counts twice, `body` once.
pub fn suggest(services: &[service::Model], headline: &str, body: &str) -> Option<String> {
    let headline = words(headline);
    let body = words(body);
    let mut best: Option<(u32, &str)> = None;
    let mut tied = false;
    for s in services.iter().filter(|s| s.active) {
        let score: u32 =
            keywords_of(s).iter().map(|k| if matches(k, &headline) { 2 } else { u32::from(matches(k, &body)) }).sum();
        if score == 0 {
            continue;
        }
        match best {
            Some((top, _)) if score < top => {}
            Some((top, _)) if score == top => tied = true,
            _ => {
                best = Some((score, s.slug.as_str()));
                tied = false;
            }
        }
    }
    best.filter(|_| !tied).map(|(_, slug)| slug.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Vec<service::Model> {
        crate::catalogue::services::DEFAULT_SERVICES
            .iter()
            .enumerate()
            .map(|(n, (slug, de, en))| service::Model {
                id: n as i32 + 1,
                slug: slug.to_string(),
                name_de: de.to_string(),
                name_en: en.to_string(),
                active: true,
                created_at: chrono::Utc::now(),
            })
            .collect()
    }

    #[test]
    fn the_headline_names_the_service() {
        let all = catalogue();
        let cases = [
            ("Beamer Raum 104 zeigt kein Bild", "", Some("presentation")),
            ("WLAN im Neubau", "Kein Netz.", Some("wifi")),
            ("Laserdrucker im Lehrerzimmer", "Papierstau", Some("printing")),
            ("E-Mail kommt nicht an", "", Some("email")),
            ("Lernplattform lädt keine Kurse", "", Some("lms")),
            ("Passwort vergessen", "Die Anmeldung klappt nicht.", Some("accounts")),
            ("iPad-Koffer lädt nicht", "", Some("devices")),
            ("Etwas ist kaputt", "Es geht nicht.", None),
        ];
        for (headline, body, expected) in cases {
            assert_eq!(suggest(&all, headline, body).as_deref(), expected, "{headline} / {body}");
        }
    }

    #[test]
    fn a_short_keyword_is_not_found_inside_another_word() {
        let all = catalogue();
        assert_eq!(suggest(&all, "WLAN", "").as_deref(), Some("wifi"), "lan is not found in WLAN");
        assert_eq!(suggest(&all, "Apple", "").as_deref(), None, "nor app in Apple");
    }

    #[test]
    fn a_tie_suggests_nothing_and_inactive_services_are_never_suggested() {
        let mut all = catalogue();
        assert_eq!(suggest(&all, "Beamer und Drucker", ""), None, "a tie");
        for s in all.iter_mut().filter(|s| s.slug == "presentation") {
            s.active = false;
        }
        assert_eq!(suggest(&all, "Beamer Raum 104", "").as_deref(), None);
    }

    #[test]
    fn an_operators_own_service_is_found_by_its_name() {
        let mut all = catalogue();
        all.push(service::Model {
            id: 99,
            slug: "stundenplan".into(),
            name_de: "Untis Stundenplan".into(),
            name_en: "Timetable".into(),
            active: true,
            created_at: chrono::Utc::now(),
        });
        assert_eq!(suggest(&all, "Untis zeigt den Stundenplan nicht", "").as_deref(), Some("stundenplan"));
    }
}
