//! Nested `WITH` clauses that reuse an outer name. In Spark the inner definition shadows the
//! outer one inside its query (`WITH t AS (SELECT 1) SELECT * FROM (WITH t AS (SELECT 2)
//! SELECT * FROM t)` returns 2); DataFusion refuses the second `t`. The inner definition and
//! the references it governs are renamed apart before planning.

use std::collections::HashMap;
use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Ident, ObjectName, ObjectNamePart, Query, Statement, VisitMut, VisitorMut,
};

/// Renames shadowing CTE definitions of `statement` and the references to them.
pub fn rename_shadowed_ctes(statement: &mut Statement) {
    let _ = statement.visit(&mut Scopes::default());
}

/// The CTE names in scope, innermost last: each frame maps a written name (lower case, as
/// Spark compares them) to the name it is planned under.
#[derive(Default)]
struct Scopes {
    frames: Vec<HashMap<String, String>>,
    renamed: usize,
}

impl Scopes {
    fn lookup(&self, name: &str) -> Option<&String> {
        self.frames.iter().rev().find_map(|f| f.get(name))
    }
}

impl VisitorMut for Scopes {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        let mut frame = HashMap::new();
        if let Some(with) = &mut query.with {
            for cte in &mut with.cte_tables {
                let written = cte.alias.name.value.to_ascii_lowercase();
                let planned = if self.lookup(&written).is_some() {
                    self.renamed += 1;
                    let planned = format!("{}__shadow{}", cte.alias.name.value, self.renamed);
                    cte.alias.name = Ident::new(planned.clone());
                    planned
                } else {
                    cte.alias.name.value.clone()
                };
                frame.insert(written, planned);
            }
        }
        self.frames.push(frame);
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &mut Query) -> ControlFlow<()> {
        self.frames.pop();
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, relation: &mut ObjectName) -> ControlFlow<()> {
        if let [ObjectNamePart::Identifier(ident)] = relation.0.as_mut_slice()
            && let Some(planned) = self.lookup(&ident.value.to_ascii_lowercase())
            && planned != &ident.value
        {
            *ident = Ident::new(planned.clone());
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::sqlparser::dialect::SparkSqlDialect;
    use datafusion::sql::sqlparser::parser::Parser;

    fn renamed(sql: &str) -> String {
        let mut statements = Parser::parse_sql(&SparkSqlDialect {}, sql).expect("parses");
        rename_shadowed_ctes(&mut statements[0]);
        statements[0].to_string()
    }

    #[test]
    fn inner_definitions_shadow_outer_ones() {
        assert_eq!(
            renamed(
                "WITH t AS (SELECT 1), t2 AS (WITH t AS (SELECT 2) SELECT * FROM t) SELECT * FROM t2, t"
            ),
            "WITH t AS (SELECT 1), t2 AS (WITH t__shadow1 AS (SELECT 2) SELECT * FROM t__shadow1) SELECT * FROM t2, t"
        );
        // Without a clash nothing changes.
        let plain = "WITH a AS (SELECT 1) SELECT * FROM a";
        assert_eq!(renamed(plain), plain);
    }
}
