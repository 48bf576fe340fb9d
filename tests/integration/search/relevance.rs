//! Relevance on the shipped articles: the right one first for keywords as readers type them
//! and for questions in plain German, on the embedded engine and through the API.
use super::{doc, everything, query_string, shipped_docs};
use crate::common::{Backend, TestApp, PASSWORD};
use rocket::http::Status;
use staffel::search::embedded::EmbeddedEngine;
use staffel::search::{SearchEngine, SearchQuery};

/// Keywords as readers type them, each with the article that must come first.
const KEYWORDS: &[(&str, &str)] = &[
    // One typo in a word of 5 to 8 letters (and one in a longer word).
    ("Bemer", "beamer-zeigt-kein-bild"),
    ("Beamr kein Bild", "beamer-zeigt-kein-bild"),
    ("Passwrt", "passwort-vergessen-zuruecksetzen"),
    ("Drucer", "drucker-offline-druckauftrag-haengt"),
    ("Phising", "phishing-mails-erkennen"),
    ("Zertifkat", "wlan-lehrkraefte-geraete-verbinden"),
    ("Hausaufgbe", "hausaufgabe-hochladen-lernplattform"),
    // Inflected forms.
    ("Druckers", "drucker-offline-druckauftrag-haengt"),
    ("Passwörter", "passwort-vergessen-zuruecksetzen"),
    ("Hausaufgaben", "hausaufgabe-hochladen-lernplattform"),
    ("Beamern", "beamer-zeigt-kein-bild"),
    ("Kopierers", "scannen-an-e-mail-kopierer"),
    ("Druckaufträge", "drucker-offline-druckauftrag-haengt"),
    ("Laptops", "dienstlaptop-updates-installieren"),
    ("Schülerpasswörter", "schuelerpasswort-zuruecksetzen-adminkonsole"),
    // Without umlauts.
    ("Druckauftrag loschen", "drucker-offline-druckauftrag-haengt"),
    ("Schulerpasswort", "schuelerpasswort-zuruecksetzen-adminkonsole"),
    ("Schuler WLAN", "wlan-verbinden-schueler"),
    ("Tablet ladt nicht", "tablet-laedt-nicht"),
    ("Kontosperre aufheben", "schuelerpasswort-zuruecksetzen-adminkonsole"),
    // ß written as ss.
    ("Postfachgrosse", "postfach-voll-speicher-freigeben"),
    ("Display anschliessen", "interaktives-display-hdmi-adapter"),
    // Compounds: the word is the first part of a longer one in the article.
    ("Drucker", "drucker-offline-druckauftrag-haengt"),
    ("Speicher", "cloud-speicherplatz-voll"),
    ("Lizenz", "softwarelizenz-beantragen"),
    // Compounds in the query that the articles write apart or differently.
    ("Schulwlan", "wlan-verbinden-schueler"),
    ("Mailpostfach", "postfach-voll-speicher-freigeben"),
    ("Beamerkabel", "beamer-zeigt-kein-bild"),
    ("Tabletladekabel", "tablet-laedt-nicht"),
    // Prefixes while typing.
    ("Bea", "beamer-zeigt-kein-bild"),
    ("Phish", "phishing-mails-erkennen"),
    ("Zwei-Fak", "zwei-faktor-authentifizierung-einrichten"),
    ("Kursschl", "kurs-beitreten-lernplattform"),
];

/// Questions in plain German, each with the article that answers it.
const QUESTIONS: &[(&str, &str)] = &[
    ("Wie setze ich mein Passwort zurück?", "passwort-vergessen-zuruecksetzen"),
    ("Was mache ich, wenn der Beamer kein Bild zeigt?", "beamer-zeigt-kein-bild"),
    ("Ich habe mein Passwort vergessen", "passwort-vergessen-zuruecksetzen"),
    ("Mein Konto ist gesperrt, was kann ich tun?", "erste-anmeldung-konto-gesperrt"),
    ("Wie entsperre ich das Konto eines Schülers?", "schuelerpasswort-zuruecksetzen-adminkonsole"),
    ("Wie richte ich die Zwei-Faktor-Authentifizierung ein?", "zwei-faktor-authentifizierung-einrichten"),
    ("Welche Authenticator-App soll ich nehmen?", "zwei-faktor-authentifizierung-einrichten"),
    ("Wie teile ich einen Ordner mit meiner Klasse?", "cloud-ordner-synchronisieren-klasse-teilen"),
    ("Meine Cloud ist voll", "cloud-speicherplatz-voll"),
    ("Wie installiere ich Updates auf meinem Dienstlaptop?", "dienstlaptop-updates-installieren"),
    ("Wie melde ich ein neues iPad im MDM an?", "tablet-im-mdm-registrieren"),
    ("Mein iPad lädt nicht mehr", "tablet-laedt-nicht"),
    ("Wie richte ich meine dienstliche E-Mail auf dem Handy ein?", "dienstliche-e-mail-auf-dem-smartphone"),
    ("Mein Postfach ist voll, was soll ich löschen?", "postfach-voll-speicher-freigeben"),
    ("Wie gebe ich meine Hausaufgabe ab?", "hausaufgabe-hochladen-lernplattform"),
    ("Ich finde meinen Kurs nicht in der Lernplattform", "kurs-beitreten-lernplattform"),
    ("Wo bekomme ich den Kursschlüssel?", "kurs-beitreten-lernplattform"),
    ("Warum ist das Internet in der Schule so langsam?", "internet-langsam-schulnetz"),
    ("Wie messe ich die Bandbreite der Anbindung für den Provider?", "internetanbindung-messen-und-eskalieren"),
    ("Das interaktive Display reagiert nicht auf Touch", "interaktives-display-hdmi-adapter"),
    ("Welchen Adapter brauche ich für USB-C?", "interaktives-display-hdmi-adapter"),
    ("Der Drucker ist offline", "drucker-offline-druckauftrag-haengt"),
    ("Mein Druckauftrag hängt in der Warteschlange", "drucker-offline-druckauftrag-haengt"),
    ("Wie scanne ich ein Dokument und schicke es mir per Mail?", "scannen-an-e-mail-kopierer"),
    ("Darf ich Fotos von Schülern auf die Homepage stellen?", "datenschutz-grundlagen-schuelerdaten"),
    ("Ich habe auf einen Link in einer verdächtigen Mail geklickt", "phishing-mails-erkennen"),
    ("Wie erkenne ich eine Phishing-Mail?", "phishing-mails-erkennen"),
    ("Wie installiere ich eine App aus dem Softwarecenter?", "freigegebene-software-apps-installieren"),
    ("Ich brauche eine Lizenz für ein neues Programm", "softwarelizenz-beantragen"),
    ("Wie teile ich meinen Bildschirm in der Videokonferenz?", "bildschirm-teilen-videokonferenz"),
    ("Die anderen hören mich in der Videokonferenz nicht", "kamera-mikrofon-videokonferenz"),
    ("Meine Kamera geht im Videounterricht nicht", "kamera-mikrofon-videokonferenz"),
    ("Wie verbinde ich als Lehrkraft mein eigenes Gerät mit dem WLAN?", "wlan-lehrkraefte-geraete-verbinden"),
    ("Wie komme ich als Schüler ins Schul-WLAN?", "wlan-verbinden-schueler"),
    ("Was ist das Startpasswort bei der ersten Anmeldung?", "erste-anmeldung-konto-gesperrt"),
    ("Wie leere ich die Druckwarteschlange?", "drucker-offline-druckauftrag-haengt"),
    ("Wo finde ich die Druckwarteschlange?", "drucker-offline-druckauftrag-haengt"),
    ("Die Synchronisation der Cloud funktioniert nicht", "cloud-ordner-synchronisieren-klasse-teilen"),
    ("Wie viel Speicherplatz habe ich in der Cloud?", "cloud-speicherplatz-voll"),
    ("Wie lösche ich alte Mails?", "postfach-voll-speicher-freigeben"),
    ("Welche Dateiformate kann ich hochladen?", "hausaufgabe-hochladen-lernplattform"),
    ("Das WLAN fällt an mehreren Standorten aus", "wlan-stoerung-schuluebergreifend-eingrenzen"),
    // Compounds the articles spell differently.
    ("Wie bekomme ich meine Dienstmail aufs Handy?", "dienstliche-e-mail-auf-dem-smartphone"),
];

/// Spellings that must give exactly the same results.
const SAME: &[(&str, &str)] = &[
    ("löschen", "loschen"),
    ("Schüler", "Schuler"),
    ("Geräte", "Gerate"),
    ("anschließen", "anschliessen"),
    ("Größe", "Grösse"),
    ("Passwort", "passwort"),
    ("DRUCKER", "drucker"),
];

async fn top(engine: &dyn SearchEngine, text: &str) -> Vec<String> {
    let query = SearchQuery { text: text.into(), limit: 5, service: None, scope: everything() };
    engine.search(&query).await.expect("search").hits.into_iter().map(|h| h.slug).collect()
}

/// Every case whose expected article is not first, with what came instead.
async fn misplaced(cases: &[(&str, &str)], mut first_five: impl AsyncFnMut(&str) -> Vec<String>) -> Vec<String> {
    let mut wrong = Vec::new();
    for (query, want) in cases {
        let got = first_five(query).await;
        if got.first().map(String::as_str) != Some(*want) {
            wrong.push(format!("{query:?}: want {want} first, got {got:?}"));
        }
    }
    wrong
}

#[rocket::async_test]
async fn the_embedded_engine_puts_the_right_shipped_article_first() {
    let engine = EmbeddedEngine::in_memory();
    let docs = shipped_docs();
    assert!(docs.len() >= 25);
    engine.upsert(docs).await.expect("index kb/");
    let wrong = misplaced(KEYWORDS, async |q| top(&engine, q).await).await;
    assert!(wrong.is_empty(), "keywords ranked wrong:\n{}", wrong.join("\n"));
    let wrong = misplaced(QUESTIONS, async |q| top(&engine, q).await).await;
    assert!(wrong.is_empty(), "questions ranked wrong:\n{}", wrong.join("\n"));
    for (a, b) in SAME {
        let (first, second) = (top(&engine, a).await, top(&engine, b).await);
        assert!(!first.is_empty(), "{a} finds something");
        assert_eq!(first, second, "{a} and {b} find the same");
    }
    // Stop words alone find nothing instead of everything.
    assert!(top(&engine, "wie ich mein und").await.is_empty());
    // Nonsense finds nothing.
    assert!(top(&engine, "xyzzy").await.is_empty());
}

#[rocket::async_test]
async fn query_compounds_find_their_parts() {
    let engine = EmbeddedEngine::in_memory();
    engine
        .upsert(vec![
            doc("anmeldung", "Fehler bei der Anmeldung am Laptop beheben.", &["pupil"], None, None),
            doc("wartung", "Die Wartung von Geräten der Schule.", &["pupil"], None, None),
            doc("drucker", "Den Drucker im Lehrerzimmer mit Papier füllen.", &["pupil"], None, None),
            doc("papier", "Papier bestellen.", &["pupil"], None, None),
        ])
        .await
        .unwrap();
    // Head and tail as written, inflected, or with a linking "s".
    assert_eq!(top(&engine, "Anmeldungsfehler").await, vec!["anmeldung"]);
    assert_eq!(top(&engine, "Schulgeräte").await, vec!["wartung"]);
    assert_eq!(top(&engine, "Laptopanmeldung").await, vec!["anmeldung"]);
    assert_eq!(top(&engine, "Druckerpapier").await.first().map(String::as_str), Some("drucker"));
    // Both parts are needed; a word that exists is not split.
    assert!(top(&engine, "Druckerpatrone").await.is_empty());
    assert_eq!(top(&engine, "Papier").await.len(), 2);
}

/// What Meilisearch 1.50 (built without its language features) misplaced when measured.
const MEILI_KEYWORDS_MISPLACED: usize = 6;
const MEILI_QUESTIONS_MISPLACED: usize = 10;

async fn api_top(app: &TestApp, token: &str, text: &str) -> Vec<String> {
    let reply = app.api_get(Some(token), &format!("/api/v1/kb/search?q={}&limit=5", query_string(text))).await;
    assert_eq!(reply.status, Status::Ok, "{text}: {}", reply.body);
    let json = reply.json();
    json["hits"].as_array().expect("hits").iter().map(|h| h["slug"].as_str().expect("slug").to_string()).collect()
}

both_dbs!(
    async fn the_api_puts_the_right_shipped_article_first(backend: Backend) {
        for setup in super::engine_setups() {
            let app = TestApp::with(&backend, |f| setup.apply(f)).await;
            app.user("lead@desk.de", "desk_lead", "").await;
            let token = app.token("lead@desk.de").await;
            let keywords = misplaced(KEYWORDS, async |q| api_top(&app, &token, q).await).await;
            let questions = misplaced(QUESTIONS, async |q| api_top(&app, &token, q).await).await;
            if setup.is_meili() {
                // Meilisearch knows no German stems or compounds ("Passwörter", "Beamerkabel"):
                // what it misplaces is measured here and may not grow.
                eprintln!(
                    "Meilisearch misplaced {} of {} keywords and {} of {} questions:\n{}",
                    keywords.len(),
                    KEYWORDS.len(),
                    questions.len(),
                    QUESTIONS.len(),
                    [keywords.as_slice(), questions.as_slice()].concat().join("\n")
                );
                assert!(
                    keywords.len() <= MEILI_KEYWORDS_MISPLACED,
                    "keywords on Meilisearch:\n{}",
                    keywords.join("\n")
                );
                assert!(
                    questions.len() <= MEILI_QUESTIONS_MISPLACED,
                    "questions on Meilisearch:\n{}",
                    questions.join("\n")
                );
            } else {
                assert!(keywords.is_empty(), "keywords ranked wrong through the API:\n{}", keywords.join("\n"));
                assert!(questions.is_empty(), "questions ranked wrong through the API:\n{}", questions.join("\n"));
            }
            // The API answers with links and highlighted snippets.
            let reply = app.api_get(Some(&token), "/api/v1/kb/search?q=Beamer&limit=3").await;
            let json = reply.json();
            assert!(json["total"].as_u64().unwrap() >= 1);
            assert_eq!(json["hits"][0]["url"], "/kb/beamer-zeigt-kein-bild");
            assert!(json["hits"][0]["snippet"].as_str().unwrap().contains("<mark>"), "{json}");
            // The service filter narrows.
            let reply = app.api_get(Some(&token), "/api/v1/kb/search?q=Passwort&limit=20&service=wifi").await;
            let slugs: Vec<String> = reply.json()["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["slug"].as_str().unwrap().to_string())
                .collect();
            assert!(!slugs.is_empty() && slugs.iter().all(|s| s.starts_with("wlan-")), "{slugs:?}");
            setup.finish().await;
        }
    }
);

both_dbs!(
    async fn suggestions_follow_the_typing(backend: Backend) {
        for setup in super::engine_setups() {
            let app = TestApp::with(&backend, |f| setup.apply(f)).await;
            app.school("gym").await;
            app.user("t@gym.de", "teacher", "gym").await;
            let mut teacher = app.login("t@gym.de", PASSWORD).await;
            let reply = teacher.get("/faq/suggest?q=Bea").await;
            assert_eq!(reply.status, Status::Ok);
            let json = reply.json();
            assert_eq!(json[0]["slug"], "beamer-zeigt-kein-bild", "{json}");
            assert_eq!(json[0]["url"], "/kb/beamer-zeigt-kein-bild");
            let reply = teacher.get(&format!("/faq/suggest?q={}", query_string("Drucker offl"))).await;
            assert_eq!(reply.json()[0]["slug"], "drucker-offline-druckauftrag-haengt");
            // An anonymous reader (a pupil) is not offered the teachers' beamer article.
            let reply = app.browser().get("/faq/suggest?q=Beamer").await;
            let json = reply.json();
            assert!(json.as_array().unwrap().iter().all(|h| h["slug"] != "beamer-zeigt-kein-bild"), "{json}");
            // Empty input, empty list.
            assert_eq!(teacher.get("/faq/suggest?q=").await.json(), serde_json::json!([]));
            setup.finish().await;
        }
    }
);
