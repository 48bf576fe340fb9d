//! A person's data: `staffel person export` holds what they wrote and nothing of anybody
//! else; `staffel person delete` removes the account (no more sign-in, no more tokens)
//! while the school's tickets keep their history under "gelöschte Person"; an unknown
//! address is refused. Operators do the same on the user admin page.
use sea_orm::{ActiveModelTrait, Set};

use super::*;
use crate::common::{ticket_id, Backend, PASSWORD};
use staffel::privacy::DELETED_PERSON;

/// A chat of the school admin with one line of theirs and one of the agent's.
async fn chat_with_lines(app: &TestApp) {
    let admin = app.user_id(ADMIN).await;
    let agent = app.user_id(AGENT).await;
    let school = app.find_school("gym").await.unwrap().id;
    let now = chrono::Utc::now();
    let chat = entities::chat::ActiveModel {
        kind: Set(entities::ChatKind::Request),
        channel_id: Set(None),
        school_id: Set(Some(school)),
        requester_id: Set(admin),
        status: Set(entities::ChatStatus::Active),
        context: Set("{}".into()),
        last_seq: Set(2),
        offered_at: Set(now),
        accepted_by: Set(Some(agent)),
        accepted_at: Set(Some(now)),
        closed_at: Set(None),
        ticket_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .unwrap();
    for (seq, author, label, role, body) in [
        (1, admin, "Gustav Gymadmin <admin@gym.de>", "school_admin", "Chatzeile von Gustav"),
        (2, agent, "Anton Agent <agent@desk.de>", "agent", "Chatzeile von Anton"),
    ] {
        entities::chat_message::ActiveModel {
            chat_id: Set(chat.id),
            seq: Set(seq),
            author_id: Set(Some(author)),
            author_label: Set(label.into()),
            author_role: Set(role.into()),
            kind: Set(entities::MessageKind::Message),
            body: Set(body.into()),
            client_id: Set(None),
            attachment_id: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(app.db())
        .await
        .unwrap();
    }
}

both_dbs!(
    async fn export_holds_the_persons_data_and_nobody_elses(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let w = world(&app).await;
        chat_with_lines(&app).await;
        app.file_report(TEACHER, "Der Beamer der Lehrerin flackert.").await;

        let out = staffel_ok(&app, &["person", "export", "--email", "Admin@Gym.de"]);
        let data: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!(data["account"]["email"], ADMIN);
        assert!(data["account"].get("password_hash").is_none());
        assert!(out.contains("Noch immer aus, bitte anrufen"), "their comment");
        assert!(out.contains("Chatzeile von Gustav"), "their chat line");
        assert!(data["tickets"].as_array().unwrap().iter().any(|t| t["number"] == w.old.as_str()), "their ticket");
        assert!(!data["api_tokens"].as_array().unwrap().is_empty(), "their token's metadata");
        assert!(!out.contains("token_hash"), "never a token's secret");
        for others in ["Kommentar vom Desk", "Chatzeile von Anton", "Lehrerin flackert", OTHER_ADMIN, "Tafel"] {
            assert!(!out.contains(others), "{others} is someone else's: {out}");
        }

        let teacher = staffel_ok(&app, &["person", "export", "--email", TEACHER]);
        assert!(teacher.contains("Der Beamer der Lehrerin flackert."), "the teacher's report: {teacher}");
        assert!(!teacher.contains("Chatzeile"), "{teacher}");

        let file = app.dir.path().join("export.json");
        let to_file = staffel(&app, &["person", "export", "--email", ADMIN, "--out", file.to_str().unwrap()]);
        assert!(to_file.success, "{}", to_file.stderr);
        let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(written["account"]["email"], ADMIN);
    }
);

both_dbs!(
    async fn delete_removes_the_account_and_keeps_the_schools_history(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let w = world(&app).await;
        chat_with_lines(&app).await;
        let mut signed_in = app.login(ADMIN, PASSWORD).await;
        assert_eq!(signed_in.get("/helpdesk").await.status.code, 200);
        let users_before = entities::user::Entity::find().all(app.db()).await.unwrap().len();
        let agent_before = app.find_user(AGENT).await.unwrap();

        let out = staffel_ok(&app, &["person", "delete", "--email", ADMIN]);
        assert!(out.contains("deleted"), "{out}");

        assert!(app.find_user(ADMIN).await.is_none(), "the address names no account");
        let login = app.browser().post_form("/login", &[("email", ADMIN), ("password", PASSWORD)]).await;
        assert_ne!(login.location.as_deref(), Some("/helpdesk"), "they cannot sign in: {:?}", login.location);
        assert_ne!(signed_in.get("/helpdesk").await.status.code, 200, "their session ended");
        assert_eq!(app.api_get(Some(&w.admin_token), "/api/v1/me").await.status.code, 401, "their token ended");

        // The school's tickets stay, with the author replaced; the desk's entries as they were.
        let t = ticket_row(&app, &w.old).await;
        assert_eq!(t.title, "Beamer Raum 12 (Gustav)");
        let events = events_of(&app, &w.old).await;
        assert!(events.iter().all(|e| !e.actor_label.contains(ADMIN)), "{events:?}");
        assert!(events.iter().any(|e| e.actor_label == DELETED_PERSON && e.body.contains("Noch immer aus")));
        assert!(events.iter().any(|e| e.actor_label.contains("Anton Agent")), "the agent's entries keep their author");
        let other = app.api_get(Some(&w.agent_token), &format!("/api/v1/tickets/{}", w.open)).await;
        assert_eq!(other.status.code, 200);
        let lines = entities::chat_message::Entity::find().all(app.db()).await.unwrap();
        assert!(lines.iter().any(|l| l.author_label == DELETED_PERSON && l.author_id.is_none()));
        assert!(lines.iter().any(|l| l.author_label.contains("Anton Agent")));

        // Nobody else is touched.
        assert_eq!(app.find_user(AGENT).await.unwrap(), agent_before);
        assert!(app.find_user(OTHER_ADMIN).await.is_some() && app.find_user(TEACHER).await.is_some());
        assert_eq!(entities::user::Entity::find().all(app.db()).await.unwrap().len(), users_before);
        let audit = entities::audit_event::Entity::find()
            .filter(entities::audit_event::Column::Action.eq("user.delete"))
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].actor_label, "cli");
        assert_eq!(ticket_id(&w.old), t.id);

        // Deleting again: the address names nobody any more.
        let again = staffel(&app, &["person", "delete", "--email", ADMIN]);
        assert!(!again.success);
    }
);

both_dbs!(
    async fn an_unknown_address_is_refused(backend: Backend) {
        let app = TestApp::new(&backend).await;
        world(&app).await;
        let users = entities::user::Entity::find().all(app.db()).await.unwrap();
        for args in [
            vec!["person", "export", "--email", "niemand@gym.de"],
            vec!["person", "delete", "--email", "niemand@gym.de"],
            vec!["person", "delete", "--email", ""],
        ] {
            let run = staffel(&app, &args);
            assert!(!run.success, "{args:?}: {}", run.stdout);
            assert_ne!(run.code, Some(0));
            assert!(run.stderr.contains("there is no account"), "{args:?}: {}", run.stderr);
            assert!(run.stdout.is_empty(), "{}", run.stdout);
        }
        assert_eq!(entities::user::Entity::find().all(app.db()).await.unwrap(), users, "nothing changed");
    }
);

both_dbs!(
    async fn operators_export_and_delete_on_the_user_admin_page(backend: Backend) {
        let app = TestApp::new(&backend).await;
        world(&app).await;
        let id = app.user_id(TEACHER).await;
        let mut op = app.login(OPERATOR, PASSWORD).await;
        let list = op.get("/admin/users").await;
        assert!(list.body.contains(&format!("/admin/users/{id}/export")), "{}", list.body);
        assert!(list.body.contains(&format!("/admin/users/{id}/delete")));

        let export =
            crate::common::uploads::download(&app, Some(&op), None, &format!("/admin/users/{id}/export")).await;
        assert_eq!(export.status.code, 200);
        assert!(export.headers["content-disposition"].starts_with("attachment"), "{:?}", export.headers);
        assert_eq!(export.headers["cache-control"], "no-store");
        let data: serde_json::Value = serde_json::from_slice(&export.bytes).unwrap();
        assert_eq!(data["account"]["email"], TEACHER);

        let confirm = op.get(&format!("/admin/users/{id}/delete")).await;
        assert_eq!(confirm.status.code, 200);
        assert!(confirm.body.contains(TEACHER));
        let wrong = op.post_form(&format!("/admin/users/{id}/delete"), &[("email", "jemand@gym.de")]).await;
        assert_eq!(wrong.status.code, 422, "{}", wrong.body);
        assert!(app.find_user(TEACHER).await.is_some(), "a wrong confirmation deletes nothing");
        let done = op.post_form(&format!("/admin/users/{id}/delete"), &[("email", TEACHER)]).await;
        assert_eq!(done.location.as_deref(), Some("/admin/users"), "{}", done.body);
        assert!(app.find_user(TEACHER).await.is_none());
        let flashed = op.get("/admin/users").await;
        assert!(flashed.body.contains("ist gelöscht"), "the flash says so: {}", flashed.body);
        assert!(!op.get("/admin/users").await.body.contains(TEACHER), "gone from the list");
        assert_eq!(op.get(&format!("/admin/users/{id}")).await.status.code, 404);

        let me = app.user_id(OPERATOR).await;
        let myself = op.post_form(&format!("/admin/users/{me}/delete"), &[("email", OPERATOR)]).await;
        assert_eq!(myself.status.code, 409, "{}", myself.body);
    }
);

both_dbs!(
    async fn a_desk_agents_saved_filters_go_with_the_account_and_their_name_leaves_canned_texts(backend: Backend) {
        use staffel::audit::By;
        let app = TestApp::new(&backend).await;
        app.user_named("lead@desk.de", "Lea Leitung", "desk_lead", "", "de").await;
        app.user_named(AGENT, "Anton Agent", "agent", "", "de").await;
        let lead = app.actor("lead@desk.de").await;
        let agent = app.actor(AGENT).await;
        let input =
            staffel::canned::CannedInput { trigger: "gruss".into(), title: "Gruß".into(), body: "Hallo".into() };
        staffel::canned::create(app.store(), By::User(&lead), &input).await.unwrap();
        let mine = staffel::tickets::queue::Filter { queue: "mine".into(), ..Default::default() };
        staffel::saved_filters::save(app.store(), &agent, "Meine", &mine).await.unwrap();
        staffel::saved_filters::save(app.store(), &lead, "Meine", &mine).await.unwrap();

        let person = staffel::privacy::person::find(app.store(), "lead@desk.de").await.unwrap();
        let export = staffel::privacy::person::export(app.store(), None, By::Cli, &person).await.unwrap();
        assert_eq!(export["saved_filters"][0]["query"], "queue=mine");
        assert_eq!(export["canned_responses_changed_last"][0]["trigger"], "gruss");

        staffel::privacy::person::delete(app.store(), By::Cli, &person).await.unwrap();
        let filters = entities::saved_filter::Entity::find().all(app.db()).await.unwrap();
        assert_eq!(filters.iter().map(|f| f.user_id).collect::<Vec<_>>(), [agent.id], "the agent's own stays");
        let canned = entities::canned_response::Entity::find().all(app.db()).await.unwrap();
        assert_eq!((canned[0].updated_by, canned[0].updated_by_label.as_str()), (None, DELETED_PERSON));
        assert_eq!(canned[0].body, "Hallo", "the desk keeps the text");
    }
);
