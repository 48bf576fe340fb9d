//! Level 1 intake: teachers report problems to their school's admins, who triage them and
//! either answer or escalate them into a ticket for the service desk.
pub mod service;
