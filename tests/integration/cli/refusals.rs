//! Refused commands: a clear message naming the problem, and nothing changed.
use super::{Run, Setup};
use crate::common::Backend;

/// Commands refused for their input, each with what its message must say.
const REFUSED: &[(&[&str], &str)] = &[
    (&["school", "add", "--slug", "gym", "--name", "Noch ein Gymnasium"], "slug: The slug “gym” is already taken."),
    (&["school", "add", "--slug", "Kein Slug!", "--name", "X"], "slug:"),
    (
        &[
            "user",
            "add",
            "--email",
            "t@x.de",
            "--name",
            "T",
            "--role",
            "teacher",
            "--school",
            "nirgendwo",
            "--password",
            "ein-sicheres-passwort",
        ],
        "school: There is no (active) school “nirgendwo”.",
    ),
    (
        &[
            "user",
            "add",
            "--email",
            "t@x.de",
            "--name",
            "T",
            "--role",
            "teacher",
            "--password",
            "ein-sicheres-passwort",
        ],
        "school:",
    ),
    (
        &[
            "user",
            "add",
            "--email",
            "a@x.de",
            "--name",
            "A",
            "--role",
            "agent",
            "--school",
            "gym",
            "--password",
            "ein-sicheres-passwort",
        ],
        "school: The service desk and operators belong to no school.",
    ),
    (
        &[
            "user",
            "add",
            "--email",
            "t@x.de",
            "--name",
            "T",
            "--role",
            "teacher",
            "--school",
            "gym",
            "--password",
            "kurz",
        ],
        "password: The password needs at least",
    ),
    (
        &["user", "add", "--email", "t@x.de", "--name", "T", "--role", "king", "--password", "ein-sicheres-passwort"],
        "role: Unknown role.",
    ),
    (
        &[
            "user",
            "add",
            "--email",
            "kein-at-zeichen",
            "--name",
            "T",
            "--role",
            "agent",
            "--password",
            "ein-sicheres-passwort",
        ],
        "email:",
    ),
    (
        &[
            "provider",
            "add",
            "--slug",
            "p1",
            "--name",
            "P",
            "--email",
            "p@p.de",
            "--service",
            "wifi",
            "--service",
            "gibtsnicht",
        ],
        "services: There is no service “gibtsnicht”.",
    ),
    (&["provider", "add", "--slug", "p1", "--name", "P", "--email", "keine-adresse"], "contacts:"),
    (&["token", "new", "--email", "niemand@x.de"], "email: There is no active account with the address niemand@x.de."),
    // Missing and unknown arguments: clap explains.
    (&["user", "add", "--email", "t@x.de", "--name", "T", "--role", "agent"], "--password"),
    (&["provider", "add", "--slug", "p2", "--name", "P"], "--email"),
    (&["school", "remove", "--slug", "gym"], "remove"),
];

/// A setup with the school gym, made through the CLI; its counts.
async fn with_a_school(backend: &Backend) -> (Setup, super::Counts) {
    let setup = Setup::new(backend).await;
    setup.ok(&["school", "add", "--slug", "gym", "--name", "Gymnasium"]);
    let before = setup.counts().await;
    assert_eq!(before.schools, 1);
    (setup, before)
}

both_dbs!(
    async fn refused_commands_name_the_problem_and_change_nothing(backend: Backend) {
        let (setup, before) = with_a_school(&backend).await;
        for (args, message) in REFUSED {
            let stderr = setup.fails(args);
            assert!(stderr.contains(message), "staffel {args:?}: expected {message:?} in\n{stderr}");
            assert_eq!(setup.counts().await, before, "staffel {args:?} changed something");
        }
    }
);

both_dbs!(
    async fn a_taken_address_is_refused_in_any_case(backend: Backend) {
        let (setup, _) = with_a_school(&backend).await;
        setup.ok(&[
            "user",
            "add",
            "--email",
            "t@gym.de",
            "--name",
            "T",
            "--role",
            "teacher",
            "--school",
            "gym",
            "--password",
            "ein-sicheres-passwort",
        ]);
        let before = setup.counts().await;
        let stderr = setup.fails(&[
            "user",
            "add",
            "--email",
            "T@gym.de",
            "--name",
            "T2",
            "--role",
            "pupil",
            "--school",
            "gym",
            "--password",
            "ein-sicheres-passwort",
        ]);
        assert!(stderr.contains("email: This email address is already taken."), "{stderr}");
        assert_eq!(setup.counts().await, before);
    }
);

both_dbs!(
    async fn bad_configuration_is_named_and_nothing_starts(backend: Backend) {
        let (setup, before) = with_a_school(&backend).await;
        for (key, value, message) in [
            ("STAFFEL_MAIL", "bogus", "STAFFEL_MAIL"),
            ("STAFFEL_MAIL_POLL_MS", "oft", "MAIL_POLL_MS"),
            (
                "STAFFEL_DATABASE_URL",
                "mysql://localhost/x",
                "STAFFEL_DATABASE_URL must start with sqlite: or postgres://",
            ),
            ("STAFFEL_BASE_URL", "staffel.schule", "STAFFEL_BASE_URL must be an absolute URL"),
        ] {
            let run: Run = setup
                .command(&["school", "add", "--slug", "neu", "--name", "Neu"])
                .env(key, value)
                .output()
                .unwrap()
                .into();
            assert!(!run.success, "{key}={value}");
            assert!(run.stderr.contains(message), "{key}={value}: {}", run.stderr);
        }
        let run: Run = setup.command(&["migrate"]).env("STAFFEL_MAIL", "smtp").output().unwrap().into();
        assert!(!run.success);
        assert!(run.stderr.contains("STAFFEL_MAIL=smtp needs STAFFEL_SMTP_URL"), "{}", run.stderr);
        assert_eq!(setup.counts().await, before);
    }
);

both_dbs!(
    async fn the_messages_speak_the_shells_language(backend: Backend) {
        let (setup, before) = with_a_school(&backend).await;
        let german = setup
            .command(&["school", "add", "--slug", "gym", "--name", "X"])
            .env("LANG", "de_DE.UTF-8")
            .output()
            .unwrap();
        assert!(!german.status.success());
        let stderr = String::from_utf8_lossy(&german.stderr);
        assert!(stderr.contains("bereits vergeben"), "{stderr}");
        // An empty LC_ALL counts as unset (POSIX): LANG decides.
        let german = setup
            .command(&["school", "add", "--slug", "gym", "--name", "X"])
            .env("LC_ALL", "")
            .env("LANG", "de_DE.UTF-8")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&german.stderr);
        assert!(stderr.contains("bereits vergeben"), "{stderr}");
        let german = setup
            .command(&["school", "add", "--slug", "gym", "--name", "X"])
            .env("LC_MESSAGES", "de_AT.UTF-8")
            .env("LANG", "C.UTF-8")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&german.stderr);
        assert!(stderr.contains("bereits vergeben"), "{stderr}");
        let english = setup
            .command(&["school", "add", "--slug", "gym", "--name", "X"])
            .env("LC_ALL", "en_GB.UTF-8")
            .env("LANG", "de_DE.UTF-8")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&english.stderr);
        assert!(stderr.contains("already taken"), "{stderr}");
        assert_eq!(setup.counts().await, before);
    }
);
