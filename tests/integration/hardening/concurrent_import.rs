//! Two `staffel kb import` of one folder at once: both succeed, and every article is there
//! once, with one revision.
use std::collections::HashMap;
use std::process::Stdio;

use crate::common::{self, article_text, write_article, Backend, PgDatabase};
use sea_orm::{Database, EntityTrait};

const ARTICLES: usize = 60;

both_dbs!(
    async fn two_imports_of_one_folder_at_once_both_succeed(backend: Backend) {
        let pg = match &backend {
            Backend::Postgres(admin) => Some(PgDatabase::create(admin).await),
            Backend::Sqlite => None,
        };
        let url = pg.as_ref().map(|p| p.url.clone());
        let work = tempfile::tempdir().unwrap();
        let data = work.path().join("data");
        let articles = tempfile::tempdir().unwrap();
        for i in 0..ARTICLES {
            let text =
                article_text(&format!("title: \"Anleitung {i}\"\naudience: [teacher]"), &format!("Schritt {i}."));
            write_article(articles.path(), &format!("anleitungen/anleitung-{i}.md"), &text);
        }
        let command = |args: &[&str]| common::cli::staffel_command(args, work.path(), &data, url.as_deref());
        let migrated = command(&["migrate"]).output().unwrap();
        assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));

        let folder = articles.path().display().to_string();
        let imports: Vec<_> = (0..2)
            .map(|_| {
                let mut import = command(&["kb", "import", &folder]);
                import.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start an import")
            })
            .collect();
        let mut added = 0;
        for import in imports {
            let out = import.wait_with_output().unwrap();
            let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert!(out.status.success(), "an import failed:\n{stdout}\n{stderr}");
            added += stdout.lines().filter(|l| l.trim_start().starts_with("added ")).count();
        }
        assert_eq!(added, ARTICLES, "together the imports added each article once");

        let db_url = url.clone().unwrap_or_else(|| format!("sqlite://{}?mode=ro", data.join("staffel.db").display()));
        let db = Database::connect(db_url).await.unwrap();
        let rows = entities::kb_article::Entity::find().all(&db).await.unwrap();
        assert_eq!(rows.len(), ARTICLES);
        let revisions = entities::kb_revision::Entity::find().all(&db).await.unwrap();
        let mut per_article: HashMap<i32, usize> = HashMap::new();
        for revision in &revisions {
            *per_article.entry(revision.article_id).or_default() += 1;
        }
        assert!(rows.iter().all(|a| a.version == 1 && per_article.get(&a.id) == Some(&1)), "{per_article:?}");
        let _ = db.close().await;
    }
);
