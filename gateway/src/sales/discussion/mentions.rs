//! `@username` mentions in a comment, resolved against the people who may sign in.

use atq_platform::FieldError;
use atq_proto::sales::v1 as pb;
use axum::http::HeaderMap;

use crate::problem::Problem;
use crate::state::AppState;

/// More names than this is a broadcast, not a mention (the sales service holds the same bound).
const MAX_MENTIONS: usize = 20;

fn is_username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// The distinct `@username` tokens of `body`, in order. An `@` inside a word (an email address)
/// mentions nobody, and a sentence's closing dot is not part of the name.
pub fn mentioned_names(body: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut previous = ' ';
    let chars = body.char_indices();
    for (at, c) in chars {
        if c == '@' && !is_username_char(previous) {
            let rest = &body[at + 1..];
            let end = rest.find(|c: char| !is_username_char(c)).unwrap_or(rest.len());
            let name = rest[..end].trim_end_matches(['.', '-', '_']);
            if !name.is_empty() && !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
        previous = c;
    }
    names
}

/// `template` in the caller's language with the colleague's name put in (names carry no numbers
/// the message table could match, so the name is put in after translating).
fn named(headers: &HeaderMap, template: &str, name: &str) -> String {
    let text = if crate::messages::prefers_english(headers) {
        template.to_owned()
    } else {
        crate::messages::in_vietnamese(template)
    };
    text.replace("{name}", name)
}

/// Every name mentioned in `body` as an active colleague, with the office their role limits
/// them to; an unknown name is a field error on `body` and nothing is written.
pub async fn resolve(state: &AppState, headers: &HeaderMap, body: &str) -> Result<Vec<pb::Mention>, Problem> {
    let names = mentioned_names(body);
    if names.len() > MAX_MENTIONS {
        return Err(Problem::field("body", &format!("may mention at most {MAX_MENTIONS} colleagues")));
    }
    let mut mentions = Vec::new();
    let mut unknown = Vec::new();
    for name in names {
        let found = crate::users::find_active(&state.db, &name)
            .await
            .map_err(|error| Problem::from(atq_platform::Error::from(error)))?;
        match found {
            Some((user, _)) => mentions.push(pb::Mention {
                username: user.username,
                office: user.office.filter(|_| user.role.is_office_scoped()).map(|o| o.to_proto() as i32).unwrap_or(0),
            }),
            None => unknown.push(FieldError::new("body", named(headers, "no colleague named @{name}", &name))),
        }
    }
    if unknown.is_empty() { Ok(mentions) } else { Err(Problem::invalid(unknown)) }
}

/// The sales service's refusal of a colleague who cannot see the record, in the caller's
/// language (the service names them; the message table cannot hold the name).
pub fn refusal_in_callers_language(headers: &HeaderMap, mut problem: Problem) -> Problem {
    const REFUSAL: &str = " cannot see records of this office";
    for error in &mut problem.errors {
        let name = error.message.strip_prefix('@').and_then(|rest| rest.strip_suffix(REFUSAL));
        if let Some(name) = name.map(str::to_owned) {
            error.message = named(headers, &format!("@{{name}}{REFUSAL}"), &name);
        }
    }
    problem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_words_starting_with_at_and_not_email_addresses() {
        assert_eq!(
            mentioned_names("@manager.hn xem giúp, gửi ha@atq.vn và @director. Cảm ơn @manager.hn!"),
            ["manager.hn", "director"]
        );
        assert!(mentioned_names("@ một mình").is_empty());
        assert_eq!(mentioned_names("(@sales.hn)"), ["sales.hn"]);
    }
}
