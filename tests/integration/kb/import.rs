//! Importing article files: broken ones rejected one by one, with file and line; the
//! revisions of a changed file; the real `staffel kb import`.
use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{self, article_by_slug, article_text, write_article, Backend, PgDatabase, TestApp};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

const GOOD: &str = "gut/drucker-papierstau.md";
const GOOD_SLUG: &str = "drucker-papierstau";

fn good_text(body: &str) -> String {
    article_text(
        "title: \"Papierstau im Drucker beheben\"\naudience: [teacher]\nservice: printing\ntags: [drucker, papierstau]",
        body,
    )
}

/// Broken files: (path, bytes, line the message names or None, text the message contains).
fn broken_files() -> Vec<(&'static str, Vec<u8>, Option<usize>, &'static str)> {
    let valid = |title: &str| article_text(&format!("title: {title}\naudience: [pupil]"), "Text").into_bytes();
    vec![
        (
            "kaputt/offen.md",
            b"---\ntitle: Offen\naudience: [pupil]\n\nText ohne Ende der Kopfzeilen\n".to_vec(),
            Some(1),
            "not closed",
        ),
        (
            "kaputt/yaml-fehler.md",
            b"---\ntitle: YAML\naudience: [pupil\nservice: wifi\n---\nText\n".to_vec(),
            Some(4),
            "front matter",
        ),
        (
            "kaputt/zielgruppe.md",
            b"---\ntitle: Zielgruppe\nservice: wifi\naudience: [pupil, hacker]\n---\nText\n".to_vec(),
            Some(4),
            "unknown audience \"hacker\"",
        ),
        (
            "kaputt/schluessel.md",
            b"---\ntitle: Schluessel\naudience: [pupil]\ncolour: red\n---\nText\n".to_vec(),
            Some(4),
            "colour",
        ),
        (
            "kaputt/ohne-titel.md",
            b"---\naudience: [pupil]\nservice: wifi\n---\nText\n".to_vec(),
            None,
            "title is missing",
        ),
        (
            "kaputt/ohne-zielgruppe.md",
            b"---\ntitle: Niemand\nservice: wifi\n---\nText\n".to_vec(),
            Some(2),
            "audience is missing",
        ),
        (
            "kaputt/dienst.md",
            b"---\ntitle: Dienst\naudience: [pupil]\ntags: [a]\nservice: teleportation\n---\nText\n".to_vec(),
            Some(5),
            "unknown service \"teleportation\"",
        ),
        (
            "kaputt/schule.md",
            b"---\ntitle: Schule\naudience: [pupil]\nschool: atlantis\n---\nText\n".to_vec(),
            Some(4),
            "unknown school \"atlantis\"",
        ),
        (
            "kaputt/status.md",
            b"---\ntitle: Status\naudience: [pupil]\nstatus: fertig\n---\nText\n".to_vec(),
            Some(4),
            "status must be draft or published",
        ),
        ("kaputt/leer.md", Vec::new(), Some(1), "must start with a front matter line"),
        ("a/doppelt.md", valid("Doppelt A"), None, "slug \"doppelt\" is also used by"),
        ("b/doppelt.md", valid("Doppelt B"), None, "slug \"doppelt\" is also used by"),
        ("kaputt/Bad Name.md", valid("Schlechter Name"), None, "is not a valid slug"),
        (
            "kaputt/latin1.md",
            [b"---\ntitle: Latin-1\naudience: [pupil]\n---\nSch".as_slice(), &[0xF6], b"n\n"].concat(),
            Some(5),
            "not UTF-8",
        ),
    ]
}

fn write_bytes(dir: &Path, relative: &str, bytes: &[u8]) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A folder with the good article and every broken one.
fn mixed_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_article(dir.path(), GOOD, &good_text("Klappe öffnen, Papier vorsichtig herausziehen."));
    for (path, bytes, _, _) in broken_files() {
        write_bytes(dir.path(), path, &bytes);
    }
    dir
}

/// Every rejection names its file, the line where one applies, and the reason.
fn assert_each_broken_file_rejected(rejected: &[(String, String)], dir: &Path) {
    let broken = broken_files();
    assert_eq!(rejected.len(), broken.len(), "{rejected:#?}");
    for (path, _, line, text) in broken {
        let origin = dir.join(path).display().to_string();
        let reason = rejected
            .iter()
            .find(|(file, _)| *file == origin)
            .map(|(_, reason)| reason.as_str())
            .unwrap_or_else(|| panic!("{path} is not among the rejected: {rejected:#?}"));
        assert!(reason.contains(text), "{path}: {reason:?} should contain {text:?}");
        if let Some(line) = line {
            assert!(reason.starts_with(&format!("line {line}: ")), "{path}: {reason:?} should name line {line}");
        }
    }
}

async fn kb_rows(app: &TestApp) -> (Vec<String>, usize) {
    let mut articles: Vec<String> =
        entities::kb_article::Entity::find().all(app.db()).await.unwrap().iter().map(|a| format!("{a:?}")).collect();
    articles.sort();
    let revisions = entities::kb_revision::Entity::find().all(app.db()).await.unwrap().len();
    (articles, revisions)
}

async fn revisions(app: &TestApp, article_id: i32) -> Vec<entities::kb_revision::Model> {
    entities::kb_revision::Entity::find()
        .filter(entities::kb_revision::Column::ArticleId.eq(article_id))
        .order_by_asc(entities::kb_revision::Column::Version)
        .all(app.db())
        .await
        .unwrap()
}

/// The mixed folder imported once, as the first import checks it: the good file added, the
/// broken ones rejected. The folder and how many revisions there were before.
async fn imported_once(app: &TestApp) -> (tempfile::TempDir, usize) {
    let dir = mixed_dir();
    let (_, revisions_before) = kb_rows(app).await;
    let report = app.import_articles(dir.path()).await;
    assert_eq!(report.added, vec![GOOD_SLUG.to_string()]);
    assert_each_broken_file_rejected(&report.rejected, dir.path());
    (dir, revisions_before)
}

both_dbs!(
    async fn an_import_rejects_each_broken_file_and_adds_only_the_good_one(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let dir = mixed_dir();
        let (articles_before, revisions_before) = kb_rows(&app).await;

        let report = app.import_articles(dir.path()).await;
        assert_eq!(report.added, vec![GOOD_SLUG.to_string()]);
        assert!(report.changed.is_empty() && report.kept_local.is_empty());
        assert_eq!(report.unchanged, 0);
        assert_each_broken_file_rejected(&report.rejected, dir.path());

        // Nothing else changed: the shipped articles are as before, one article and one
        // revision more.
        let (articles_after, revisions_after) = kb_rows(&app).await;
        assert_eq!(revisions_after, revisions_before + 1);
        assert_eq!(articles_after.len(), articles_before.len() + 1);
        let before: BTreeSet<&String> = articles_before.iter().collect();
        let new: Vec<&String> = articles_after.iter().filter(|a| !before.contains(a)).collect();
        assert_eq!(new.len(), 1);
        assert!(new[0].contains(&format!("slug: \"{GOOD_SLUG}\"")), "{new:?}");
        for slug in ["doppelt", "offen", "yaml-fehler", "zielgruppe", "dienst", "schule", "latin1"] {
            let found = entities::kb_article::Entity::find()
                .filter(entities::kb_article::Column::Slug.eq(slug))
                .one(app.db())
                .await
                .unwrap();
            assert!(found.is_none(), "{slug} must not be imported");
        }
        let good = article_by_slug(&app, GOOD_SLUG).await;
        assert_eq!(good.title, "Papierstau im Drucker beheben");
        assert_eq!(good.audience, "teacher");
        assert_eq!(good.tags, "drucker,papierstau");
        assert_eq!(good.status.as_str(), "published");
        assert_eq!(good.version, 1);
        assert!(good.body.starts_with("Klappe öffnen"), "{:?}", good.body);
    }
);

both_dbs!(
    async fn importing_the_same_files_again_changes_nothing(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let (dir, revisions_before) = imported_once(&app).await;
        // The good one unchanged, the broken ones rejected again.
        let report = app.import_articles(dir.path()).await;
        assert!(report.added.is_empty() && report.changed.is_empty(), "{report:?}");
        assert_eq!(report.unchanged, 1);
        assert_each_broken_file_rejected(&report.rejected, dir.path());
        assert_eq!(kb_rows(&app).await, kb_rows(&app).await);
        assert_eq!(kb_rows(&app).await.1, revisions_before + 1);
    }
);

both_dbs!(
    async fn a_changed_file_becomes_a_new_version_and_keeps_the_old_revision(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let (dir, _) = imported_once(&app).await;
        write_article(dir.path(), GOOD, &good_text("Zuerst das Papierfach herausziehen, dann die Klappe öffnen."));
        let report = app.import_articles(dir.path()).await;
        assert_eq!(report.changed, vec![GOOD_SLUG.to_string()]);
        assert!(report.added.is_empty());
        let good = article_by_slug(&app, GOOD_SLUG).await;
        assert_eq!(good.version, 2);
        assert!(good.body.starts_with("Zuerst das Papierfach"));
        let history = revisions(&app, good.id).await;
        assert_eq!(history.iter().map(|r| r.version).collect::<Vec<_>>(), vec![1, 2]);
        assert!(history[0].body.starts_with("Klappe öffnen"));
        assert!(history[1].body.starts_with("Zuerst das Papierfach"));
        assert!(history.iter().all(|r| r.author_label == "import" && r.author_id.is_none()));
        let meta: serde_json::Value = serde_json::from_str(&history[1].meta).expect("meta is JSON");
        assert_eq!(meta["service"], "printing");
        assert_eq!(meta["audience"], serde_json::json!(["teacher"]));
    }
);

both_dbs!(
    async fn a_fixed_file_is_imported_on_the_next_run(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let (dir, _) = imported_once(&app).await;
        write_article(
            dir.path(),
            "kaputt/zielgruppe.md",
            &article_text("title: Zielgruppe\naudience: [pupil]", "Text"),
        );
        let report = app.import_articles(dir.path()).await;
        assert_eq!(report.added, vec!["zielgruppe".to_string()]);
        assert_eq!(report.rejected.len(), broken_files().len() - 1);
    }
);

/// `staffel ARGS` on its own data dir (and database), from a directory without a
/// Rocket.toml.
fn staffel(args: &[&str], cwd: &Path, data_dir: &Path, database_url: Option<&str>) -> std::process::Output {
    common::cli::staffel_command(args, cwd, data_dir, database_url).output().expect("run staffel")
}

both_dbs!(
    async fn the_cli_import_reports_and_fails_on_rejections(backend: Backend) {
        let pg = match &backend {
            Backend::Postgres(admin) => Some(PgDatabase::create(admin).await),
            Backend::Sqlite => None,
        };
        let url = pg.as_ref().map(|p| p.url.clone());
        let work = tempfile::tempdir().unwrap();
        let data = work.path().join("data");
        let dir = mixed_dir();
        let dir_arg = dir.path().display().to_string();

        let run = staffel(&["kb", "import", &dir_arg], work.path(), &data, url.as_deref());
        let stdout = String::from_utf8_lossy(&run.stdout);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "rejections make the command fail\n{stdout}\n{stderr}");
        assert!(stdout.contains("1 added, 0 changed, 0 unchanged"), "{stdout}");
        assert!(stdout.contains(&format!("{} rejected", broken_files().len())), "{stdout}");
        assert!(stdout.lines().any(|l| l.trim() == format!("added    {GOOD_SLUG}")), "{stdout}");
        for (path, _, line, text) in broken_files() {
            let origin = dir.path().join(path).display().to_string();
            let listed = stdout
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("REJECTED {origin}: ")))
                .unwrap_or_else(|| panic!("{path} is not listed as rejected:\n{stdout}"));
            assert!(listed.contains(text), "{listed}");
            if let Some(line) = line {
                assert!(listed.contains(&format!(": line {line}: ")), "{listed}");
            }
        }
        assert!(stderr.contains(&format!("{} file(s) rejected", broken_files().len())), "{stderr}");

        // Again: nothing new, still failing.
        let run = staffel(&["kb", "import", &dir_arg], work.path(), &data, url.as_deref());
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(!run.status.success());
        assert!(stdout.contains("0 added, 0 changed, 1 unchanged"), "{stdout}");

        // Only good files: success, the change reported.
        let good = tempfile::tempdir().unwrap();
        write_article(good.path(), GOOD, &good_text("Neu: zuerst das Papierfach."));
        write_article(good.path(), "zwei/toner-wechseln.md", &good_text("Toner wechseln."));
        let run = staffel(&["kb", "import", &good.path().display().to_string()], work.path(), &data, url.as_deref());
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
        assert!(stdout.contains("1 added, 1 changed, 0 unchanged"), "{stdout}");
        assert!(stdout.lines().any(|l| l.trim() == format!("changed  {GOOD_SLUG}")), "{stdout}");
        assert!(stdout.lines().any(|l| l.trim() == "added    toner-wechseln"), "{stdout}");
        assert!(!stdout.contains("REJECTED"), "{stdout}");
    }
);
