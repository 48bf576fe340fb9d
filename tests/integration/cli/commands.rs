//! Every documented command, each on a fresh data dir and database.
use super::{migrate, Run, Setup};
use crate::common::Backend;

/// `staffel user add` for the teacher of rs-west and an agent of the desk.
fn add_two_users(setup: &Setup) {
    setup.ok(&[
        "user",
        "add",
        "--email",
        "Lehrerin@RS-West.de",
        "--name",
        "Frau Weber",
        "--role",
        "teacher",
        "--school",
        "rs-west",
        "--password",
        "ein-sicheres-passwort",
    ]);
    setup.ok(&[
        "user",
        "add",
        "--email",
        "neu@desk.de",
        "--name",
        "Neuer Agent",
        "--role",
        "agent",
        "--password",
        "ein-sicheres-passwort",
    ]);
}

/// `staffel school add` for Realschule West; what it printed.
fn add_a_school(setup: &Setup) -> String {
    setup.ok(&["school", "add", "--slug", "rs-west", "--name", "Realschule West"])
}

both_dbs!(
    async fn migrate_sets_up_a_fresh_database_once(backend: Backend) {
        let setup = Setup::new(&backend).await;
        migrate(&setup);
        if setup.database_url.is_empty() {
            assert!(setup.data_dir().join("staffel.db").exists(), "SQLite in the data dir");
        }
        let empty = setup.counts().await;
        assert_eq!((empty.schools, empty.users, empty.providers), (0, 0, 0));
        assert!(empty.services > 0, "the service catalogue is set up");
        setup.ok(&["migrate"]);
        assert_eq!(setup.counts().await, empty, "migrating twice changes nothing");
    }
);

both_dbs!(
    async fn text_settings_may_look_like_numbers_or_booleans(backend: Backend) {
        let setup = Setup::new(&backend).await;
        migrate(&setup);
        let run: Run = setup
            .command(&["migrate"])
            .env("STAFFEL_MEILI_KEY", "123456")
            .env("STAFFEL_DESK_PHONE", "0301234567")
            .env("STAFFEL_DESK_HOURS", "true")
            .output()
            .unwrap()
            .into();
        assert!(run.success, "{}", run.stderr);
    }
);

both_dbs!(
    async fn demo_is_idempotent_and_prints_every_login(backend: Backend) {
        let setup = Setup::new(&backend).await;
        migrate(&setup);
        let empty = setup.counts().await;
        let expected = staffel::demo::SCHOOLS.len()
            + staffel::demo::USERS.len()
            + staffel::demo::PROVIDERS.len()
            + staffel::demo::CANNED.len();
        let first = setup.ok(&["demo"]);
        assert!(first.contains(&format!("({expected} new records)")), "{first}");
        let after_demo = setup.counts().await;
        let second = setup.ok(&["demo"]);
        assert!(second.contains("(0 new records)"), "{second}");
        assert!(second.contains("Demo tickets already there"), "{second}");
        assert_eq!(setup.counts().await, after_demo, "the second run adds nothing");
        for out in [&first, &second] {
            assert!(out.contains(staffel::demo::DEMO_PASSWORD), "{out}");
            for (email, _, role, _) in staffel::demo::USERS {
                let line =
                    out.lines().find(|l| l.contains(email)).unwrap_or_else(|| panic!("{email} is not printed:\n{out}"));
                assert!(line.contains(role), "{line}");
            }
            for (slug, ..) in staffel::demo::PROVIDERS {
                assert!(out.contains(slug), "{slug} is not printed:\n{out}");
            }
        }
        assert_eq!(after_demo.users - empty.users, staffel::demo::USERS.len() as u64);
    }
);

both_dbs!(
    async fn school_add_makes_an_active_school(backend: Backend) {
        let setup = Setup::new(&backend).await;
        migrate(&setup);
        let out = add_a_school(&setup);
        assert!(out.contains("rs-west"), "{out}");
        let db = setup.db().await;
        let school = staffel::schools::service::find_by_slug(&db, "rs-west").await.unwrap().expect("the school exists");
        assert_eq!(school.name, "Realschule West");
        assert!(school.active);
        let _ = db.close().await;
    }
);

both_dbs!(
    async fn user_add_makes_users_with_and_without_a_school(backend: Backend) {
        let setup = Setup::new(&backend).await;
        migrate(&setup);
        add_a_school(&setup);
        add_two_users(&setup);
        let db = setup.db().await;
        let school = staffel::schools::service::find_by_slug(&db, "rs-west").await.unwrap().expect("the school exists");
        let teacher = staffel::accounts::service::find_by_email(&db, "lehrerin@rs-west.de")
            .await
            .unwrap()
            .expect("the teacher exists");
        assert_eq!(teacher.name, "Frau Weber");
        assert_eq!(teacher.role.as_str(), "teacher");
        assert_eq!(teacher.school_id, Some(school.id));
        let agent =
            staffel::accounts::service::find_by_email(&db, "neu@desk.de").await.unwrap().expect("the agent exists");
        assert_eq!(agent.role.as_str(), "agent");
        assert_eq!(agent.school_id, None);
        assert!(
            staffel::auth::password::verify("ein-sicheres-passwort".into(), agent.password_hash.clone()).await,
            "the password was set"
        );
        let _ = db.close().await;
    }
);

both_dbs!(
    async fn provider_add_takes_two_contacts_and_two_services(backend: Backend) {
        let setup = Setup::new(&backend).await;
        migrate(&setup);
        let out = setup.ok(&[
            "provider",
            "add",
            "--slug",
            "it-west",
            "--name",
            "IT West GmbH",
            "--email",
            "support@it-west.de",
            "--email",
            "Hotline <hotline@it-west.de>",
            "--service",
            "wifi",
            "--service",
            "lms",
        ]);
        assert!(out.contains("it-west"), "{out}");
        let db = setup.db().await;
        let providers = staffel::catalogue::providers::list(&db, false).await.unwrap();
        let provider = providers.iter().find(|p| p.slug == "it-west").expect("the provider exists");
        assert_eq!(provider.name, "IT West GmbH");
        let mut emails: Vec<&str> = provider.contacts.iter().map(|c| c.email.as_str()).collect();
        emails.sort();
        assert_eq!(emails, ["hotline@it-west.de", "support@it-west.de"]);
        let mut services = provider.services.clone();
        services.sort();
        assert_eq!(services, ["lms", "wifi"]);
        let _ = db.close().await;
    }
);

both_dbs!(
    async fn token_new_prints_a_new_token_that_works_each_time(backend: Backend) {
        let setup = Setup::new(&backend).await;
        migrate(&setup);
        add_a_school(&setup);
        add_two_users(&setup);
        let out = setup.ok(&["token", "new", "--email", "lehrerin@rs-west.de"]);
        let token = out.trim();
        assert!(!token.is_empty() && !token.contains(char::is_whitespace), "{out}");
        let db = setup.db().await;
        let actor = staffel::auth::session::actor_for_token(&staffel::db::Db::new(db.clone()), token)
            .await
            .expect("read the token")
            .expect("the printed token authenticates");
        assert_eq!(actor.email, "lehrerin@rs-west.de");
        let other = setup.ok(&["token", "new", "--email", "lehrerin@rs-west.de"]);
        assert_ne!(other.trim(), token, "every token is new");
        let _ = db.close().await;
    }
);
