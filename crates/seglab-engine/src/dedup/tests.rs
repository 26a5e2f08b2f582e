use super::*;
use std::collections::{HashMap, HashSet};

fn col(v: &[Option<&str>]) -> Vec<Option<String>> {
    v.iter().map(|s| s.map(str::to_string)).collect()
}

fn pairs(m: &[MatchPair]) -> Vec<(usize, usize)> {
    m.iter().map(|p| (p.a, p.b)).collect()
}

#[test]
fn normalizers() {
    assert_eq!(
        normalize_email("  John.Smith@Example.COM "),
        Some("john.smith@example.com".into())
    );
    for bad in [
        "",
        "   ",
        "john",
        "a@b",
        "@x.com",
        "a b@x.com",
        "a@@x.com",
        "a@x.",
    ] {
        assert_eq!(normalize_email(bad), None, "{bad:?}");
    }
    assert_eq!(
        normalize_phone("+1 (555) 123-4567"),
        Some("5551234567".into())
    );
    assert_eq!(normalize_phone("555.123.4567"), Some("5551234567".into()));
    assert_eq!(
        normalize_phone("+44 20 7946 0958"),
        normalize_phone("020 7946 0958")
    );
    assert_eq!(normalize_phone("123-45"), None);
    assert_eq!(normalize_phone("n/a"), None);
    assert_eq!(
        normalize_name("  O'Brien,   Seán "),
        Some("obrien sean".into())
    );
    assert_eq!(
        normalize_name("Mary-Jane  SMITH."),
        Some("mary jane smith".into())
    );
    assert_eq!(normalize_name(" .,- "), None);
}

#[test]
fn accents_fold_and_match() {
    assert_eq!(normalize_name("José Müller"), Some("jose muller".into()));
    assert_eq!(
        normalize_name("ÉLODIE Ærøskøbing"),
        Some("elodie aeroskobing".into())
    );
    // Decomposed input: 'e' followed by a combining acute accent.
    assert_eq!(normalize_name("Jose\u{301}"), Some("jose".into()));
    assert_eq!(normalize_name("Łukasz Żółć"), Some("lukasz zolc".into()));
    let name = col(&[Some("José Müller"), Some("Jose Muller")]);
    let bd = col(&[Some("1980-01-02"), Some("1980/01/02")]);
    let f = DedupFields {
        name: Some(&name),
        others: vec![&bd],
        ..Default::default()
    };
    let m = find_fuzzy_matches_labeled(&f, &FuzzyParams::default(), &["birth_date"]);
    assert_eq!(pairs(&m), [(0, 1)]);
    assert_eq!(m[0].reason, "name 1.00+birth_date");
}

#[test]
fn email_case_and_whitespace() {
    let name = col(&[Some("Ann Lee"), Some("Bob Ray"), Some("ann lee")]);
    let email = col(&[
        Some("Ann.Lee@Mail.com"),
        Some("bob@mail.com"),
        Some("  ann.lee@mail.COM  "),
    ]);
    let f = DedupFields {
        name: Some(&name),
        email: Some(&email),
        ..Default::default()
    };
    let m = find_fuzzy_matches(&f, &FuzzyParams::default());
    assert_eq!(pairs(&m), [(0, 2)]);
    assert_eq!(m[0].reason, "email");
}

#[test]
fn name_typo_with_same_phone_other_format() {
    let name = col(&[
        Some("Katherine Johnson"),
        Some("Mark Twain"),
        Some("Katherin Jonson"),
    ]);
    let phone = col(&[
        Some("+1 (555) 123-4567"),
        Some("555 987 6543"),
        Some("555.123.4567"),
    ]);
    let f = DedupFields {
        name: Some(&name),
        phone: Some(&phone),
        ..Default::default()
    };
    let m = find_fuzzy_matches(&f, &FuzzyParams::default());
    assert_eq!(pairs(&m), [(0, 2)]);
    assert!(m[0].reason.starts_with("phone+name 0.9"), "{}", m[0].reason);
}

#[test]
fn common_name_different_people_do_not_match() {
    let name = col(&[Some("John Smith"), Some("John Smith"), Some("john  smith")]);
    let email = col(&[Some("js1@a.com"), Some("js2@b.com"), None]);
    let phone = col(&[Some("5550000001"), Some("5550000002"), Some("5550000003")]);
    let bd = col(&[Some("1970-01-01"), Some("1985-06-30"), Some("1990-12-12")]);
    let city = col(&[Some("Leeds"), Some("Leeds"), Some("Leeds")]);
    let f = DedupFields {
        name: Some(&name),
        email: Some(&email),
        phone: Some(&phone),
        others: vec![&bd, &city],
    };
    assert!(find_fuzzy_matches(&f, &FuzzyParams::default()).is_empty());
    // Names alone, with nothing else agreeing, are never enough.
    let f = DedupFields {
        name: Some(&name),
        ..Default::default()
    };
    assert!(find_fuzzy_matches(&f, &FuzzyParams::default()).is_empty());
}

#[test]
fn namesakes_born_the_same_day() {
    // Same name and birth date: one person re-registering keeps an e-mail
    // or a phone; two namesakes with both different are kept apart.
    let name = col(&[
        Some("Mary Murphy"),
        Some("Mary Murphy"),
        Some("Mary Murphy"),
    ]);
    let email = col(&[Some("mm@a.com"), Some("mary@b.com"), Some("murphy@c.com")]);
    let phone = col(&[Some("5550000001"), Some("5550000002"), None]);
    let bd = col(&[Some("2001-05-06"), Some("2001-05-06"), Some("2001-05-06")]);
    let f = DedupFields {
        name: Some(&name),
        email: Some(&email),
        phone: Some(&phone),
        others: vec![&bd],
    };
    let m = find_fuzzy_matches_labeled(&f, &FuzzyParams::default(), &["birth_date"]);
    assert_eq!(pairs(&m), [(0, 2), (1, 2)]);
    assert_eq!(m[0].reason, "name 1.00+birth_date");
}

#[test]
fn similar_surname_is_not_a_similar_name() {
    // Whole-name Jaro-Winkler is 0.92 here; the first names are unrelated.
    let name = col(&[
        Some("Robert Hernández"),
        Some("Søren Hernández"),
        Some("Robret Hernandez"),
    ]);
    let bd = col(&[Some("2000-02-26"), Some("2000-02-26"), Some("2000-02-26")]);
    let f = DedupFields {
        name: Some(&name),
        others: vec![&bd],
        ..Default::default()
    };
    assert_eq!(
        pairs(&find_fuzzy_matches(&f, &FuzzyParams::default())),
        [(0, 2)]
    );
}

#[test]
fn common_value_is_not_evidence() {
    // 40 rows in one city: agreeing on it says nothing (limit is 5 here),
    // while an agreeing birth date does.
    let n = 40;
    let mut name: Vec<Option<String>> = (0..n)
        .map(|i| Some(format!("Name{i} Surname{i}")))
        .collect();
    name[1] = Some("Liam Walker".into());
    name[2] = Some("Liam Walker".into());
    name[3] = Some("Liam Walkre".into());
    let city = vec![Some("London".to_string()); n];
    let mut bd = vec![None; n];
    bd[3] = Some("1990-01-01".to_string());
    bd[1] = bd[3].clone();
    let f = DedupFields {
        name: Some(&name),
        others: vec![&city, &bd],
        ..Default::default()
    };
    let m = find_fuzzy_matches_labeled(&f, &FuzzyParams::default(), &["city", "birth_date"]);
    assert_eq!(pairs(&m), [(1, 3)]);
    assert!(m[0].reason.ends_with("+city+birth_date"), "{}", m[0].reason);
}

#[test]
fn name_typo_in_first_letter_with_birth_date() {
    // The typo sits in the first letter of one token; blocking must still
    // bring the rows together (the other token is intact).
    let name = col(&[
        Some("Smith, Jonathan"),
        Some("Jonathan Xmith"),
        Some("Dr. Jonathan Smith"),
    ]);
    let bd = col(&[Some("1970-01-01"), Some("1970-01-01"), Some("1970-01-01")]);
    let f = DedupFields {
        name: Some(&name),
        others: vec![&bd],
        ..Default::default()
    };
    let m = find_fuzzy_matches(&f, &FuzzyParams::default());
    assert_eq!(pairs(&m), [(0, 1), (0, 2), (1, 2)]);
    assert!(m[0].reason.ends_with("+other1"));
}

#[test]
fn transitive_grouping() {
    let name = col(&[Some("A"), Some("B"), Some("C"), Some("D"), Some("E")]);
    let email = col(&[
        Some("x@a.com"),
        Some("y@a.com"),
        Some("X@a.com"),
        None,
        None,
    ]);
    let phone = col(&[None, Some("5551112222"), Some("555-111-2222"), None, None]);
    let f = DedupFields {
        email: Some(&email),
        phone: Some(&phone),
        ..Default::default()
    };
    // Without names, the phone needs corroboration; add it via `others`.
    let m = find_fuzzy_matches(&f, &FuzzyParams::default());
    assert_eq!(pairs(&m), [(0, 2)]);
    let city = col(&[None, Some("Oslo"), Some("Oslo"), None, None]);
    let f = DedupFields {
        others: vec![&city],
        ..f
    };
    let m = find_fuzzy_matches(&f, &FuzzyParams::default());
    assert_eq!(pairs(&m), [(0, 2), (1, 2)]);
    assert_eq!(m[1].reason, "phone+other1");
    assert_eq!(group_matches(5, &m), vec![vec![0, 1, 2]]);
    let _ = name;
    let manual = [(3, 4), (1, 3), (5, 6), (0, 9)].map(|(a, b)| MatchPair {
        a,
        b,
        score: 1.0,
        reason: String::new(),
    });
    assert_eq!(
        group_matches(8, &manual),
        vec![vec![1, 3, 4], vec![5, 6]],
        "out-of-range pairs are ignored"
    );
}

#[test]
fn levenshtein_is_stricter_than_jaro_winkler() {
    // One wrong letter in a short name: JW ≈ 0.95, Levenshtein = 1 - 1/7.
    let name = col(&[Some("Ann Lee"), Some("Ann Lea")]);
    let bd = col(&[Some("1990-01-01"), Some("1990-01-01")]);
    let f = DedupFields {
        name: Some(&name),
        others: vec![&bd],
        ..Default::default()
    };
    let jw = find_fuzzy_matches(&f, &FuzzyParams::default());
    assert_eq!(pairs(&jw), [(0, 1)]);
    let lev = FuzzyParams {
        similarity: Similarity::Levenshtein,
        ..Default::default()
    };
    assert!(find_fuzzy_matches(&f, &lev).is_empty());
    let lev_loose = FuzzyParams {
        threshold: 0.85,
        ..lev
    };
    let m = find_fuzzy_matches(&f, &lev_loose);
    assert_eq!(pairs(&m), [(0, 1)]);
    assert!((m[0].score - 6.0 / 7.0).abs() < 1e-9);
}

#[test]
fn empty_and_missing_fields() {
    let f = DedupFields::default();
    assert!(find_fuzzy_matches(&f, &FuzzyParams::default()).is_empty());
    assert!(group_matches(0, &[]).is_empty());
    let name = col(&[None, Some(""), Some("  "), None, Some("Al Bo")]);
    let email = col(&[None, Some(""), Some("not-an-email"), Some("not-an-email")]);
    let phone = col(&[Some("n/a"), Some("n/a"), None]);
    let bd = col(&[Some(""), Some(""), None, None, Some("2000-01-01")]);
    let f = DedupFields {
        name: Some(&name),
        email: Some(&email),
        phone: Some(&phone),
        others: vec![&bd],
    };
    assert!(find_fuzzy_matches(&f, &FuzzyParams::default()).is_empty());
}

#[test]
fn more_than_64_other_columns() {
    // Columns past the 64th still veto (conflict) but are never evidence.
    let name = col(&[Some("Ann Lee"), Some("Ann Lee"), Some("Ann Lee")]);
    let same = col(&[Some("x"), Some("x"), Some("x")]);
    let last = col(&[Some("1"), Some("1"), Some("2")]);
    let mut others = vec![&same[..]; 69];
    others.push(&last);
    let f = DedupFields {
        name: Some(&name),
        others,
        ..Default::default()
    };
    assert_eq!(
        pairs(&find_fuzzy_matches(&f, &FuzzyParams::default())),
        [(0, 1)]
    );
}

#[test]
fn placeholder_email_is_not_evidence() {
    // 300 different people behind one junk address: more than `max_block`,
    // so the address is ignored; two of them are real duplicates by name and
    // birth date and must still be found (sorted neighbourhood).
    let n = 300;
    let name: Vec<Option<String>> = (0..n).map(|i| Some(format!("Person {i:03}"))).collect();
    let mut bd: Vec<Option<String>> = (0..n).map(|i| Some(format!("d{i}"))).collect();
    let mut name = name;
    name[7] = Some("Person 250".into());
    bd[7] = bd[250].clone();
    let email = vec![Some("none@none.com".to_string()); n];
    let f = DedupFields {
        name: Some(&name),
        email: Some(&email),
        others: vec![&bd],
        ..Default::default()
    };
    let m = find_fuzzy_matches(&f, &FuzzyParams::default());
    assert_eq!(pairs(&m), [(7, 250)]);
}

/// Deterministic generator for the synthetic tests (splitmix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Replace one character, at a random position, by a different letter.
fn typo(s: &str, rng: &mut Rng) -> String {
    let mut c: Vec<char> = s.chars().collect();
    let i = rng.below(c.len());
    c[i] = if c[i] == 'q' { 'z' } else { 'q' };
    c.into_iter().collect()
}

#[test]
fn synthetic_200k_rows() {
    const FIRST: &[&str] = &[
        "James",
        "Mary",
        "Robert",
        "Patricia",
        "John",
        "Jennifer",
        "Michael",
        "Linda",
        "David",
        "Elizabeth",
        "William",
        "Barbara",
        "Richard",
        "Susan",
        "Joseph",
        "Jessica",
        "Thomas",
        "Sarah",
        "Charles",
        "Karen",
        "Daniel",
        "Nancy",
        "Matthew",
        "Lisa",
        "Anthony",
        "Betty",
        "Mark",
        "Margaret",
        "Donald",
        "Sandra",
        "Steven",
        "Ashley",
        "Paul",
        "Kimberly",
    ];
    // Generated surnames keep name collisions realistic (about 8,000).
    const SYL: &[&str] = &[
        "ka", "lo", "mi", "ren", "sa", "to", "vi", "del", "mar", "ton", "ber", "son", "li", "na",
        "ro", "gu", "fe", "shi", "wa", "ze",
    ];
    let n = 200_000;
    let mut rng = Rng(42);
    let mut name: Vec<Option<String>> = Vec::with_capacity(n);
    let (mut email, mut phone, mut bd) = (name.clone(), name.clone(), name.clone());
    let mut planted = Vec::new();
    for i in 0..n {
        if i % 10 == 9 {
            // A near-duplicate of a random earlier original.
            let o = loop {
                let o = rng.below(i);
                if o % 10 != 9 {
                    break o;
                }
            };
            planted.push((o, i));
            let nm = name[o].clone().unwrap();
            let (e, p) = (email[o].clone(), phone[o].clone());
            let kind = rng.below(3);
            name.push(Some(if kind == 0 {
                nm.to_uppercase()
            } else {
                typo(&nm, &mut rng)
            }));
            email.push(match kind {
                0 => e.as_ref().map(|e| format!(" {} ", e.to_uppercase())),
                _ => None,
            });
            phone.push(match kind {
                1 => p
                    .as_ref()
                    .map(|p| format!("+1 ({}) {}-{}", &p[..3], &p[3..6], &p[6..])),
                _ => None,
            });
            bd.push(bd[o].clone());
        } else {
            let f = FIRST[rng.below(FIRST.len())];
            let l: String = (0..3).map(|_| SYL[rng.below(SYL.len())]).collect();
            name.push(Some(format!("{f} {l}")));
            email.push(Some(format!("{f}.{l}.{i}@example.com")));
            phone.push(Some(format!("{:010}", rng.next() % 10_000_000_000)));
            bd.push(Some(format!(
                "{}-{:02}-{:02}",
                1930 + rng.below(80),
                1 + rng.below(12),
                1 + rng.below(28)
            )));
        }
    }
    let f = DedupFields {
        name: Some(&name),
        email: Some(&email),
        phone: Some(&phone),
        others: vec![&bd],
    };
    let m = find_fuzzy_matches(&f, &FuzzyParams::default());
    let found: HashSet<(usize, usize)> = pairs(&m).into_iter().collect();
    let hit = planted.iter().filter(|p| found.contains(p)).count();
    // Misses: typos that push a name below the threshold or make a short
    // token unrecognisable.
    assert!(
        hit as f64 >= 0.97 * planted.len() as f64,
        "recall {hit}/{}",
        planted.len()
    );
    // Two duplicates of one original also match each other: judge pairs by
    // the original they descend from.
    let original: HashMap<usize, usize> = planted.iter().map(|&(o, d)| (d, o)).collect();
    let root = |r: usize| original.get(&r).copied().unwrap_or(r);
    let right = m.iter().filter(|p| root(p.a) == root(p.b)).count();
    assert!(
        right as f64 >= 0.99 * m.len() as f64,
        "precision {right}/{}",
        m.len()
    );
    let groups = group_matches(n, &m);
    assert!(groups
        .iter()
        .all(|g| g.len() >= 2 && g.windows(2).all(|w| w[0] < w[1])));
    assert!(m.windows(2).all(|w| (w[0].a, w[0].b) < (w[1].a, w[1].b)));
}
