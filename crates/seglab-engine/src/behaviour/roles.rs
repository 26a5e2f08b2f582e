//! Which column of a transaction log plays which role (customer, invoice, timestamp, quantity,
//! unit price, amount, product): named in the recipe or by flags, else guessed from the common
//! names of public and exported logs (Online Retail's CustomerID/InvoiceNo/InvoiceDate/
//! Quantity/UnitPrice, CDNOW's dollar_value, order_id/order_date exports, ...).

use super::{BehaviourError, BehaviourOptions};
use crate::table::Table;

/// The log's columns by role, resolved against its header.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Roles {
    pub customer: String,
    /// Without it, a purchase is counted once per distinct timestamp.
    pub invoice: Option<String>,
    pub timestamp: String,
    pub quantity: Option<String>,
    pub unit_price: Option<String>,
    /// A line total; used when quantity × unit price is not available.
    pub amount: Option<String>,
    pub product: Option<String>,
    /// Roles that were guessed rather than named, as "role = column".
    pub guessed: Vec<String>,
}

/// Names by role, compared after lower-casing and dropping everything but letters and digits
/// ("Customer ID", "customer_id" and "CustomerID" are one name). Most specific first.
const CUSTOMER: &[&str] = &[
    "customerid",
    "customer",
    "custid",
    "customerno",
    "customernumber",
    "clientid",
    "client",
    "userid",
    "user",
    "memberid",
    "accountid",
    "buyerid",
    "shopperid",
];
const INVOICE: &[&str] = &[
    "invoiceno",
    "invoice",
    "invoiceid",
    "invoicenumber",
    "orderid",
    "order",
    "orderno",
    "ordernumber",
    "transactionid",
    "transaction",
    "receiptid",
    "receipt",
    "basketid",
    "billno",
];
const TIMESTAMP: &[&str] = &[
    "invoicedate",
    "orderdate",
    "transactiondate",
    "purchasedate",
    "timestamp",
    "datetime",
    "date",
    "time",
    "eventtime",
    "createdat",
    "day",
];
const QUANTITY: &[&str] = &[
    "quantity",
    "qty",
    "units",
    "numberofitems",
    "items",
    "count",
];
const UNIT_PRICE: &[&str] = &["unitprice", "price", "itemprice", "priceeach", "unitcost"];
const AMOUNT: &[&str] = &[
    "amount",
    "dollarvalue",
    "revenue",
    "sales",
    "totalamount",
    "total",
    "linetotal",
    "value",
    "spend",
    "totalprice",
    "netamount",
    "ordervalue",
];
const PRODUCT: &[&str] = &[
    "stockcode",
    "productid",
    "product",
    "sku",
    "itemid",
    "item",
    "productcode",
];

/// A header name without case, spaces or punctuation, for matching role names.
pub(crate) fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The first column (in the order of `names`) that matches any of the role's names.
fn guess(table: &Table, names: &[&str], taken: &[&str]) -> Option<String> {
    let squashed: Vec<(String, &str)> = table
        .columns
        .iter()
        .filter(|c| !taken.contains(&c.name.as_str()))
        .map(|c| (squash(&c.name), c.name.as_str()))
        .collect();
    names.iter().find_map(|want| {
        squashed
            .iter()
            .find(|(s, _)| s == want)
            .map(|(_, n)| n.to_string())
    })
}

/// Resolves every role: a named column must exist; an unnamed one is guessed. The customer and
/// timestamp are required, and either quantity and unit price or an amount.
pub fn resolve(table: &Table, opts: &BehaviourOptions) -> Result<Roles, BehaviourError> {
    let mut roles = Roles::default();
    let mut taken: Vec<String> = Vec::new();
    let mut pick = |option: &'static str,
                    named: &Option<String>,
                    names: &[&str],
                    guessed: &mut Vec<String>|
     -> Result<Option<String>, BehaviourError> {
        if let Some(n) = named {
            if table.column(n).is_none() {
                return Err(super::unknown_column(table, option, n, "transactions"));
            }
            taken.push(n.clone());
            return Ok(Some(n.clone()));
        }
        let taken_refs: Vec<&str> = taken.iter().map(String::as_str).collect();
        let found = guess(table, names, &taken_refs);
        if let Some(f) = &found {
            guessed.push(format!("{option} = {f}"));
            taken.push(f.clone());
        }
        Ok(found)
    };
    let mut guessed = Vec::new();
    let customer = pick("customer", &opts.customer, CUSTOMER, &mut guessed)?;
    let invoice = pick("invoice", &opts.invoice, INVOICE, &mut guessed)?;
    let timestamp = pick("timestamp", &opts.timestamp, TIMESTAMP, &mut guessed)?;
    let quantity = pick("quantity", &opts.quantity, QUANTITY, &mut guessed)?;
    let unit_price = pick("unit_price", &opts.unit_price, UNIT_PRICE, &mut guessed)?;
    let amount = pick("amount", &opts.amount, AMOUNT, &mut guessed)?;
    let product = pick("product", &opts.product, PRODUCT, &mut guessed)?;
    let missing = |role: &'static str| BehaviourError::MissingRole {
        role,
        guessed: if guessed.is_empty() {
            "none".into()
        } else {
            guessed.join(", ")
        },
        available: crate::load::describe_columns(&table.names()),
    };
    roles.customer = customer.ok_or_else(|| missing("customer"))?;
    roles.timestamp = timestamp.ok_or_else(|| missing("timestamp"))?;
    let priced = quantity.is_some() && unit_price.is_some();
    if !priced && amount.is_none() {
        return Err(missing(if quantity.is_none() && unit_price.is_none() {
            "amount"
        } else if quantity.is_none() {
            "quantity"
        } else {
            "unit_price"
        }));
    }
    roles.invoice = invoice;
    roles.quantity = quantity;
    roles.unit_price = unit_price;
    roles.amount = amount;
    roles.product = product;
    roles.guessed = guessed;
    Ok(roles)
}

impl Roles {
    /// The options with every role named (what the fitted model and the saved recipe keep).
    pub fn pin(&self, opts: &mut BehaviourOptions) {
        opts.customer = Some(self.customer.clone());
        opts.invoice = self.invoice.clone();
        opts.timestamp = Some(self.timestamp.clone());
        opts.quantity = self.quantity.clone();
        opts.unit_price = self.unit_price.clone();
        opts.amount = self.amount.clone();
        opts.product = self.product.clone();
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
    fn online_retail_cdnow_and_export_headers() {
        let retail = header(&[
            "InvoiceNo",
            "StockCode",
            "Description",
            "Quantity",
            "InvoiceDate",
            "UnitPrice",
            "CustomerID",
            "Country",
        ]);
        let r = resolve(&retail, &BehaviourOptions::default()).unwrap();
        assert_eq!(
            (
                r.customer.as_str(),
                r.invoice.as_deref(),
                r.timestamp.as_str()
            ),
            ("CustomerID", Some("InvoiceNo"), "InvoiceDate")
        );
        assert_eq!(
            (
                r.quantity.as_deref(),
                r.unit_price.as_deref(),
                r.product.as_deref()
            ),
            (Some("Quantity"), Some("UnitPrice"), Some("StockCode"))
        );
        assert_eq!(r.amount, None);
        assert!(r.guessed.contains(&"customer = CustomerID".to_string()));

        let cdnow = header(&["customer_id", "date", "quantity", "dollar_value"]);
        let r = resolve(&cdnow, &BehaviourOptions::default()).unwrap();
        assert_eq!(r.amount.as_deref(), Some("dollar_value"));
        assert_eq!(r.invoice, None);

        let export = header(&["Order ID", "Customer ID", "Order Date", "Sales"]);
        let r = resolve(&export, &BehaviourOptions::default()).unwrap();
        assert_eq!(
            (
                r.customer.as_str(),
                r.invoice.as_deref(),
                r.amount.as_deref()
            ),
            ("Customer ID", Some("Order ID"), Some("Sales"))
        );
    }

    #[test]
    fn named_roles_win_and_missing_ones_are_explained() {
        let t = header(&["column_1", "column_2", "column_3", "column_4"]);
        match resolve(&t, &BehaviourOptions::default()) {
            Err(BehaviourError::MissingRole {
                role, available, ..
            }) => {
                assert_eq!(role, "customer");
                assert!(available.contains("column_1"), "{available}");
            }
            other => panic!("{other:?}"),
        }
        let opts = BehaviourOptions {
            customer: Some("column_1".into()),
            timestamp: Some("column_2".into()),
            amount: Some("column_4".into()),
            ..Default::default()
        };
        let r = resolve(&t, &opts).unwrap();
        assert!(r.guessed.is_empty());
        let bad = BehaviourOptions {
            customer: Some("nope".into()),
            ..Default::default()
        };
        assert!(matches!(
            resolve(&t, &bad),
            Err(BehaviourError::UnknownColumn { .. })
        ));
    }
}
