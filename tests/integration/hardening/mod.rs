//! What an attacker, a fuzzer and a curious user found (issue #13): each behaviour that did
//! not hold, as a test that fails without its fix.
mod next_param;
mod reopen;
mod no_store;
mod https_cookies;
mod log_secrets;
mod relogin;
mod client_address;
mod api_tokens;
mod votes;
mod reporter_privacy;
