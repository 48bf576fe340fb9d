//! People: signing in (with throttling), passwords and their reset, language, personal API
//! tokens, and the operators' user administration.
pub mod api_tokens;
pub mod login;
pub mod reset;
pub mod service;
