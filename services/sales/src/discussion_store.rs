//! Comments, their mentions and the notifications they raise.

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Db, Error, Office, Tx};
use atq_proto::sales::v1 as pb;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::discussion::{Subject, SubjectKind};

const COMMENT: &str = "id, subject_kind, subject_id, author, body, created_at";
const NOTIFICATION: &str = "id, kind, subject_kind, subject_id, comment_id, author, excerpt, created_at, read_at";

/// A comment ready to be written.
#[derive(Clone, Debug)]
pub struct NewComment {
    pub subject: Subject,
    pub author: String,
    pub body: String,
    pub excerpt: String,
    pub mentions: Vec<String>,
}

/// The office of the record, if it exists.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn subject_office(db: &Db, kind: SubjectKind, id: i64) -> Result<Option<Office>> {
    let sql = format!("SELECT office FROM {} WHERE id = $1", kind.table());
    let office: Option<String> = sqlx::query_scalar(&sql).bind(id).fetch_optional(db.pool()).await?;
    office
        .map(|code| {
            Office::parse(&code).map_err(|_| Error::internal(anyhow::anyhow!("stored {kind} has bad office {code:?}")))
        })
        .transpose()
}

fn comment_from_row(row: &AnyRow, mentions: Vec<String>) -> Result<pb::Comment> {
    Ok(pb::Comment {
        id: row.try_get("id")?,
        subject_kind: row.try_get("subject_kind")?,
        subject_id: row.try_get("subject_id")?,
        author: row.try_get("author")?,
        body: row.try_get("body")?,
        mentions,
        created_at: Some(to_timestamp(row.try_get("created_at")?)),
    })
}

fn notification_from_row(row: &AnyRow) -> Result<pb::Notification> {
    let read_at: i64 = row.try_get("read_at")?;
    Ok(pb::Notification {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        subject_kind: row.try_get("subject_kind")?,
        subject_id: row.try_get("subject_id")?,
        comment_id: row.try_get("comment_id")?,
        author: row.try_get("author")?,
        excerpt: row.try_get("excerpt")?,
        created_at: Some(to_timestamp(row.try_get("created_at")?)),
        read_at: (read_at > 0).then(|| to_timestamp(read_at)),
    })
}

/// Writes the comment, its mentions and one notification per colleague other than the author.
#[tracing::instrument(level = "debug", skip_all, fields(subject = %comment.subject.kind, subject_id = comment.subject.id))]
pub async fn insert_comment(tx: &mut Tx, comment: &NewComment) -> Result<pb::Comment> {
    let now = now_micros();
    let row = sqlx::query(&format!(
        "INSERT INTO comments (subject_kind, subject_id, office, author, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COMMENT}"
    ))
    .bind(comment.subject.kind.as_str())
    .bind(comment.subject.id)
    .bind(comment.subject.office.code())
    .bind(&comment.author)
    .bind(&comment.body)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    for username in &comment.mentions {
        sqlx::query("INSERT INTO comment_mentions (comment_id, username) VALUES ($1, $2)")
            .bind(id)
            .bind(username)
            .execute(&mut **tx)
            .await?;
        if *username == comment.author {
            continue;
        }
        sqlx::query(
            "INSERT INTO notifications (username, kind, subject_kind, subject_id, comment_id, author, excerpt, \
             created_at, read_at) VALUES ($1, 'mention', $2, $3, $4, $5, $6, $7, 0)",
        )
        .bind(username)
        .bind(comment.subject.kind.as_str())
        .bind(comment.subject.id)
        .bind(id)
        .bind(&comment.author)
        .bind(&comment.excerpt)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    comment_from_row(&row, comment.mentions.clone())
}

/// A page of the subject's comments, oldest first, each with its mentions.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn comments(db: &Db, kind: SubjectKind, subject_id: i64, page: Page) -> Result<Vec<pb::Comment>> {
    let rows = sqlx::query(&format!(
        "SELECT {COMMENT} FROM comments WHERE subject_kind = $1 AND subject_id = $2 AND id > $3 ORDER BY id LIMIT $4"
    ))
    .bind(kind.as_str())
    .bind(subject_id)
    .bind(page.after_id)
    .bind(page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    let (first, last) = match (rows.first(), rows.last()) {
        (Some(first), Some(last)) => (first.try_get::<i64, _>("id")?, last.try_get::<i64, _>("id")?),
        _ => return Ok(Vec::new()),
    };
    let mentions: Vec<(i64, String)> = sqlx::query_as(
        "SELECT m.comment_id, m.username FROM comment_mentions m JOIN comments c ON c.id = m.comment_id \
         WHERE c.subject_kind = $1 AND c.subject_id = $2 AND m.comment_id BETWEEN $3 AND $4 \
         ORDER BY m.comment_id, m.username",
    )
    .bind(kind.as_str())
    .bind(subject_id)
    .bind(first)
    .bind(last)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let names = mentions.iter().filter(|(comment, _)| *comment == id).map(|(_, name)| name.clone());
            comment_from_row(row, names.collect())
        })
        .collect()
}

/// A page of a person's notifications, newest first (the cursor is the last id shown).
#[tracing::instrument(level = "debug", skip(db))]
pub async fn notifications(db: &Db, username: &str, unread_only: bool, page: Page) -> Result<Vec<pb::Notification>> {
    let rows = sqlx::query(&format!(
        "SELECT {NOTIFICATION} FROM notifications WHERE username = $1 AND ($2 = 0 OR read_at = 0) \
         AND ($3 = 0 OR id < $3) ORDER BY id DESC LIMIT $4"
    ))
    .bind(username)
    .bind(i64::from(unread_only))
    .bind(page.after_id)
    .bind(page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(notification_from_row).collect()
}

#[tracing::instrument(level = "debug", skip(db))]
pub async fn unread_count(db: &Db, username: &str) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE username = $1 AND read_at = 0")
        .bind(username)
        .fetch_one(db.pool())
        .await?)
}

/// Marks one of the person's notifications read (kept as first read); None if it is not theirs.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn mark_read(db: &Db, username: &str, id: i64) -> Result<Option<pb::Notification>> {
    sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND username = $3 AND read_at = 0")
        .bind(now_micros())
        .bind(id)
        .bind(username)
        .execute(db.pool())
        .await?;
    let row = sqlx::query(&format!("SELECT {NOTIFICATION} FROM notifications WHERE id = $1 AND username = $2"))
        .bind(id)
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(notification_from_row).transpose()
}

/// Marks every unread notification of the person read; returns how many.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn mark_all_read(db: &Db, username: &str) -> Result<i64> {
    let marked = sqlx::query("UPDATE notifications SET read_at = $1 WHERE username = $2 AND read_at = 0")
        .bind(now_micros())
        .bind(username)
        .execute(db.pool())
        .await?
        .rows_affected();
    Ok(i64::try_from(marked).unwrap_or(i64::MAX))
}
