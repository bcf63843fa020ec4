//! Checks a set of databases that must belong together (a snapshot, a restored data directory,
//! or PostgreSQL databases restored one by one): every consumer's cursor at or before its
//! producer's outbox head, every schema version one this binary knows, and the books agreeing.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Connection;

use super::manifest::{self, DatabaseFacts, Verification};

/// What the check found, and the facts it read on the way.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CheckReport {
    #[serde(flatten)]
    pub verification: Verification,
    pub facts: BTreeMap<String, DatabaseFacts>,
}

/// Checks the databases at `urls` (`(module, url)` of every module).
pub async fn check(urls: &[(&'static str, String)], known: &BTreeMap<String, i64>) -> anyhow::Result<CheckReport> {
    let mut report = CheckReport::default();
    for (module, url) in urls {
        let mut conn = manifest::connect(url).await?;
        let facts = manifest::read_facts(&mut conn).await?;
        if *module == atq_accounting_warehouse::NAME {
            let books = atq_accounting_warehouse::journal::reconcile(&mut conn)
                .await
                .map_err(|error| anyhow::anyhow!("the reconciliation failed: {error}"))?;
            if !books.agree {
                report.verification.problems.push(format!("the books disagree: {books:?}"));
            }
            report.verification.books_agree = Some(books.agree);
        }
        let integrity: String = if url.starts_with("sqlite:") {
            sqlx::query_scalar("PRAGMA quick_check").fetch_one(&mut conn).await?
        } else {
            "ok".to_owned()
        };
        if integrity != "ok" {
            report.verification.problems.push(format!("{module}: the database is damaged: {integrity}"));
        }
        conn.close().await?;
        report.facts.insert((*module).to_owned(), facts);
    }
    report.verification.problems.extend(schema_problems(&report.facts, known));
    report.verification.problems.extend(feed_problems(&report.facts));
    report.verification.ok = report.verification.problems.is_empty();
    Ok(report)
}

/// A schema newer than this binary's migrations: it would refuse to start on it.
pub fn schema_problems(facts: &BTreeMap<String, DatabaseFacts>, known: &BTreeMap<String, i64>) -> Vec<String> {
    let mut problems = Vec::new();
    for (module, facts) in facts {
        match known.get(module) {
            Some(highest) if facts.schema_version > *highest => problems.push(format!(
                "{module} has schema version {}, newer than this atq {} knows ({highest}): use a newer atq",
                facts.schema_version,
                env!("CARGO_PKG_VERSION")
            )),
            Some(_) => {}
            None => problems.push(format!("{module} is not a module this atq knows")),
        }
    }
    problems
}

/// A consumer that has seen more of a feed than its producer has written: the producer's database
/// is older than the consumer's, and events would be lost or numbered twice.
pub fn feed_problems(facts: &BTreeMap<String, DatabaseFacts>) -> Vec<String> {
    let mut problems = Vec::new();
    for (consumer, consumer_facts) in facts {
        for (feed, cursor) in &consumer_facts.feed_cursors {
            match facts.get(feed) {
                Some(producer) if *cursor > producer.outbox_head => problems.push(format!(
                    "{consumer} has consumed the {feed} feed up to {cursor}, but {feed}'s outbox ends at {}",
                    producer.outbox_head
                )),
                Some(_) => {}
                None => problems.push(format!("{consumer} consumes a feed {feed} that is not in the set")),
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(head: i64, cursors: &[(&str, i64)]) -> DatabaseFacts {
        DatabaseFacts {
            schema_version: 101,
            outbox_head: head,
            feed_cursors: cursors.iter().map(|(feed, position)| ((*feed).to_owned(), *position)).collect(),
        }
    }

    #[test]
    fn a_consumer_ahead_of_its_producer_is_a_problem() {
        let set: BTreeMap<String, DatabaseFacts> =
            [("sales".to_owned(), facts(10, &[])), ("analytics".to_owned(), facts(0, &[("sales", 11)]))].into();
        let problems = feed_problems(&set);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("up to 11") && problems[0].contains("ends at 10"), "{problems:?}");
    }

    #[test]
    fn a_consumer_at_or_behind_its_producer_is_fine() {
        let set: BTreeMap<String, DatabaseFacts> = [
            ("sales".to_owned(), facts(10, &[])),
            ("analytics".to_owned(), facts(0, &[("sales", 10)])),
            ("accounting-warehouse".to_owned(), facts(3, &[("sales", 4)])),
        ]
        .into();
        assert!(feed_problems(&set).is_empty());
    }

    #[test]
    fn a_schema_newer_than_the_binary_knows_is_refused() {
        let set: BTreeMap<String, DatabaseFacts> = [("sales".to_owned(), facts(0, &[]))].into();
        let known: BTreeMap<String, i64> = [("sales".to_owned(), 100)].into();
        let problems = schema_problems(&set, &known);
        assert!(problems[0].contains("schema version 101") && problems[0].contains("newer atq"), "{problems:?}");
        let known: BTreeMap<String, i64> = [("sales".to_owned(), 101)].into();
        assert!(schema_problems(&set, &known).is_empty());
    }
}
