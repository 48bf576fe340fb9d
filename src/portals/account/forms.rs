//! Forms of the account pages. Every field defaults to empty so that a missing field gets
//! the same clear "required" message as an empty one.
use rocket::FromForm;

use crate::csrf_form;

#[derive(Debug, FromForm)]
pub struct LoginForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub email: String,
    #[field(default = String::new())]
    pub password: String,
    #[field(default = String::new())]
    pub next: String,
}

#[derive(Debug, FromForm)]
pub struct CsrfOnly {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
}

#[derive(Debug, FromForm)]
pub struct PasswordChangeForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub current: String,
    #[field(default = String::new())]
    pub new: String,
    #[field(default = String::new())]
    pub confirm: String,
}

#[derive(Debug, FromForm)]
pub struct LanguageForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub lang: String,
    #[field(default = String::new())]
    pub next: String,
}

#[derive(Debug, FromForm)]
pub struct ForgotForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub email: String,
}

#[derive(Debug, FromForm)]
pub struct ResetForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub new: String,
    #[field(default = String::new())]
    pub confirm: String,
}

#[derive(Debug, FromForm)]
pub struct UserForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub email: String,
    #[field(default = String::new())]
    pub name: String,
    #[field(default = String::new())]
    pub role: String,
    #[field(default = String::new())]
    pub school: String,
    #[field(default = String::new())]
    pub language: String,
    #[field(default = String::new())]
    pub password: String,
}

#[derive(Debug, FromForm)]
pub struct ActiveForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = false)]
    pub active: bool,
}

csrf_form!(LoginForm, CsrfOnly, PasswordChangeForm, LanguageForm, ForgotForm, ResetForm, UserForm, ActiveForm);

impl From<&UserForm> for crate::accounts::service::UserInput {
    fn from(form: &UserForm) -> Self {
        crate::accounts::service::UserInput {
            email: form.email.clone(),
            name: form.name.clone(),
            role: form.role.clone(),
            school: form.school.clone(),
            language: form.language.clone(),
            password: form.password.clone(),
        }
    }
}

/// Only a local path may follow a login or a language switch; anything else (another
/// host, `//host`, a scheme) goes to the start page instead. It must also be a valid URI:
/// a redirect to `/ä` or `/"` cannot be built and would end the request in a 500.
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.contains(char::is_control)
        && rocket::http::uri::Origin::parse(next).is_ok();
    ok.then_some(next)
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_stays_local() {
        assert_eq!(super::safe_next("/desk?x=1"), Some("/desk?x=1"));
        for bad in ["", "https://evil.example", "//evil.example", "/\\evil.example", "desk", "/ä", "/ /x", "/\""] {
            assert_eq!(super::safe_next(bad), None, "{bad}");
        }
    }
}
