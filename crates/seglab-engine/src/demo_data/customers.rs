//! Rendering of customers.csv and truth.csv rows.

use std::io::{self, Write};

use super::fmt::Row;
use super::names::{self, CHANNELS, COUNTRIES, GENDERS};
use super::profiles::{Anomaly, World, B_BIRTH, B_CHANNEL, B_CITY, B_GENDER, B_INCOME, B_PHONE};

pub const CUSTOMERS_HEADER: &str =
    "customer_id,name,email,phone,gender,birth_date,country,city,signup_date,income,channel,loyalty_member\n";
pub const TRUTH_HEADER: &str = "customer_id,segment,duplicate_of,anomaly\n";

/// Digits in customer ids (`C000123`); larger ids simply grow.
pub(super) const ID_WIDTH: usize = 6;

pub(super) fn push_customer_id(row: &mut Row, id: u32) {
    row.byte(b'C');
    row.num(id as u64, ID_WIDTH);
}

/// Flush the row buffer to the writer once it holds this many bytes.
const FLUSH_AT: usize = 1 << 16;

pub(super) fn write_customers(world: &World, out: &mut impl Write) -> io::Result<()> {
    let n = world.profiles.len();
    let mut buf = Vec::with_capacity(FLUSH_AT + 512);
    let mut row = Row::new();
    buf.extend_from_slice(CUSTOMERS_HEADER.as_bytes());
    for (pos, &r) in world.order.iter().enumerate() {
        let (p, dup) = if (r as usize) < n {
            (&world.profiles[r as usize], None)
        } else {
            let d = &world.dups[r as usize - n];
            (&world.profiles[d.source as usize], Some(d))
        };
        let blanks = dup.map_or(p.blanks, |d| d.blanks);
        let phone_fmt = dup.map_or(p.phone_fmt, |d| d.phone_fmt);
        let (country, cc, cities, _) = COUNTRIES[p.country as usize];

        row.clear();
        push_customer_id(&mut row, pos as u32 + 1);
        row.byte(b',');
        match dup {
            Some(d) => row.text(&d.name),
            None => {
                row.text(world.first_name(p));
                row.byte(b' ');
                row.text(world.last_name(p));
            }
        }
        row.byte(b',');
        match dup {
            Some(d) => row.text(&d.email),
            None => world.push_email(&mut row, p),
        }
        row.byte(b',');
        if blanks & B_PHONE == 0 {
            names::push_phone(&mut row, p.phone, cc, phone_fmt);
        }
        row.byte(b',');
        if blanks & B_GENDER == 0 {
            row.text(GENDERS[p.gender as usize]);
        }
        row.byte(b',');
        if blanks & B_BIRTH == 0 {
            row.date_ce(p.birth);
        }
        row.byte(b',');
        row.text(country);
        row.byte(b',');
        if blanks & B_CITY == 0 {
            row.text(cities[p.city as usize]);
        }
        row.byte(b',');
        row.date_ce(p.signup);
        row.byte(b',');
        if blanks & B_INCOME == 0 {
            if p.income_style == 2 {
                row.cents(p.income_cents);
            } else {
                row.num((p.income_cents / 100) as u64, 1);
            }
        }
        row.byte(b',');
        if blanks & B_CHANNEL == 0 {
            row.label(&CHANNELS[p.channel as usize]);
        }
        row.byte(b',');
        row.text(if p.loyalty { "true" } else { "false" });
        row.byte(b'\n');
        row.flush_to(&mut buf);
        if buf.len() >= FLUSH_AT {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}

pub(super) fn write_truth(world: &World, out: &mut impl Write) -> io::Result<()> {
    let n = world.profiles.len();
    let mut buf = Vec::with_capacity(FLUSH_AT + 128);
    let mut row = Row::new();
    buf.extend_from_slice(TRUTH_HEADER.as_bytes());
    for (pos, &r) in world.order.iter().enumerate() {
        row.clear();
        push_customer_id(&mut row, pos as u32 + 1);
        row.byte(b',');
        if (r as usize) < n {
            let p = &world.profiles[r as usize];
            row.text(p.seg.name());
            row.text(",,");
            if p.anomaly != Anomaly::None {
                row.text(p.anomaly.label());
            }
        } else {
            let src = world.dups[r as usize - n].source as usize;
            row.text(world.profiles[src].seg.name());
            row.byte(b',');
            push_customer_id(&mut row, world.id_of[src]);
            row.byte(b',');
        }
        row.byte(b'\n');
        row.flush_to(&mut buf);
        if buf.len() >= FLUSH_AT {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}
