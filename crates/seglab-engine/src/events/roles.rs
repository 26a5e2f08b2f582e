//! Which column of a web event log plays which role (customer, timestamp, event type, session,
//! device): named in the recipe, else guessed from the names analytics exports use
//! (user_id/visitor_id, event_time, event_name/action, session_id, device_type/platform).

use super::{EventsError, EventsOptions};
use crate::table::Table;

/// The event log's columns by role, resolved against its header.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventRoles {
    pub customer: String,
    pub timestamp: String,
    pub event_type: String,
    /// Without it, sessions are inferred by a 30-minute inactivity gap.
    pub session: Option<String>,
    /// Without it, there is no `mobile_share`.
    pub device: Option<String>,
    /// Roles that were guessed rather than named, as "role = column".
    pub guessed: Vec<String>,
}

/// Names by role after lower-casing and dropping all but letters and digits, most specific first.
const CUSTOMER: &[&str] = &[
    "customerid",
    "customer",
    "custid",
    "userid",
    "user",
    "visitorid",
    "visitor",
    "clientid",
    "client",
    "memberid",
    "accountid",
    "shopperid",
];
const TIMESTAMP: &[&str] = &[
    "timestamp",
    "eventtime",
    "eventtimestamp",
    "eventdate",
    "datetime",
    "time",
    "date",
    "createdat",
    "occurredat",
    "ts",
];
const EVENT_TYPE: &[&str] = &[
    "eventtype",
    "event",
    "eventname",
    "action",
    "type",
    "activity",
];
const SESSION: &[&str] = &["sessionid", "session", "visitid", "visit"];
const DEVICE: &[&str] = &["devicetype", "device", "devicecategory", "platform", "os"];

use crate::behaviour::roles::squash;

/// Resolves every role: a named column must exist; an unnamed one is guessed among the columns
/// not already taken. Customer, timestamp and event type are required.
pub fn resolve(table: &Table, opts: &EventsOptions) -> Result<EventRoles, EventsError> {
    let squashed: Vec<(String, &str)> = table
        .columns
        .iter()
        .map(|c| (squash(&c.name), c.name.as_str()))
        .collect();
    let mut taken: Vec<String> = Vec::new();
    let mut guessed: Vec<String> = Vec::new();
    let mut pick = |option: &'static str,
                    named: &Option<String>,
                    names: &[&str]|
     -> Result<Option<String>, EventsError> {
        if let Some(n) = named {
            if table.column(n).is_none() {
                return Err(super::unknown_column(table, option, n, "events"));
            }
            taken.push(n.clone());
            return Ok(Some(n.clone()));
        }
        let found = names.iter().find_map(|want| {
            squashed
                .iter()
                .find(|(s, n)| s == want && !taken.iter().any(|t| t == n))
                .map(|(_, n)| n.to_string())
        });
        if let Some(f) = &found {
            guessed.push(format!("{option} = {f}"));
            taken.push(f.clone());
        }
        Ok(found)
    };
    let customer = pick("customer", &opts.customer, CUSTOMER)?;
    let timestamp = pick("timestamp", &opts.timestamp, TIMESTAMP)?;
    let event_type = pick("event_type", &opts.event_type, EVENT_TYPE)?;
    let session = pick("session", &opts.session, SESSION)?;
    let device = pick("device", &opts.device, DEVICE)?;
    let missing = |role: &'static str| EventsError::MissingRole {
        role,
        guessed: if guessed.is_empty() {
            "none".into()
        } else {
            guessed.join(", ")
        },
        available: crate::load::describe_columns(&table.names()),
    };
    Ok(EventRoles {
        customer: customer.ok_or_else(|| missing("customer"))?,
        timestamp: timestamp.ok_or_else(|| missing("timestamp"))?,
        event_type: event_type.ok_or_else(|| missing("event_type"))?,
        session,
        device,
        guessed: guessed.clone(),
    })
}

impl EventRoles {
    /// The options with every role named (what the saved recipe and the fitted model keep).
    pub fn pin(&self, opts: &mut EventsOptions) {
        opts.customer = Some(self.customer.clone());
        opts.timestamp = Some(self.timestamp.clone());
        opts.event_type = Some(self.event_type.clone());
        opts.session = self.session.clone();
        opts.device = self.device.clone();
    }

    /// "customer = user_id, timestamp = ts, ..." for messages.
    pub fn describe(&self) -> String {
        let mut parts = vec![
            format!("customer = {}", self.customer),
            format!("timestamp = {}", self.timestamp),
            format!("event_type = {}", self.event_type),
        ];
        for (role, col) in [("session", &self.session), ("device", &self.device)] {
            if let Some(c) = col {
                parts.push(format!("{role} = {c}"));
            }
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{Column, ColumnData, ColumnType};

    fn header(names: &[&str]) -> Table {
        Table::new(
            names
                .iter()
                .map(|n| Column::new(*n, ColumnType::Number, ColumnData::Number(vec![Some(1.0)])))
                .collect(),
        )
    }

    #[test]
    fn analytics_headers_are_guessed_and_named_roles_win() {
        let t = header(&["Visitor ID", "Event Time", "Action", "Platform", "page"]);
        let r = resolve(&t, &EventsOptions::default()).unwrap();
        assert_eq!(
            (
                r.customer.as_str(),
                r.timestamp.as_str(),
                r.event_type.as_str()
            ),
            ("Visitor ID", "Event Time", "Action")
        );
        assert_eq!((r.session, r.device.as_deref()), (None, Some("Platform")));
        assert_eq!(r.guessed.len(), 4);

        let bare = header(&["a", "b", "c"]);
        assert!(matches!(
            resolve(&bare, &EventsOptions::default()),
            Err(EventsError::MissingRole {
                role: "customer",
                ..
            })
        ));
        let named = EventsOptions {
            customer: Some("a".into()),
            timestamp: Some("b".into()),
            event_type: Some("c".into()),
            ..Default::default()
        };
        assert!(resolve(&bare, &named).unwrap().guessed.is_empty());
        let wrong = EventsOptions {
            device: Some("nope".into()),
            ..named
        };
        assert!(matches!(
            resolve(&bare, &wrong),
            Err(EventsError::UnknownColumn { .. })
        ));
    }
}
