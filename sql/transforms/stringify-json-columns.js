// Pub/Sub Single Message Transform (JavaScript UDF) for the BigQuery subscriptions that write the
// tables of sql/tables/ with use_table_schema = true. terraform attaches it to each such
// subscription: message_transforms { javascript_udf { function_name = "stringifyJsonColumns",
// code = file(".../sql/transforms/stringify-json-columns.js") } }.
//
// Why: with use_table_schema, Pub/Sub fills a JSON column only from a string holding JSON
// ("myData": "{\"key\":\"value\"}"); a nested object is rejected and the message goes back to the
// backlog, then to the dead-letter topic. nudge's messages are NudgeEvents whose properties,
// traits, context and hops are objects (a DeadLetter's errors is an array), and every consumer
// reads them as such, so the encoding changes here, on the way into BigQuery, and nowhere else.
// Every top-level object or array becomes its JSON text; other fields pass unchanged (TIMESTAMP
// columns take the ISO-8601 UTC strings as they are).
// Source: https://docs.cloud.google.com/pubsub/docs/create-bigquery-subscription ("Use table schema").
// Tested by functions/bigquery-sql/bigquery-ddl.test.ts. Plain ES5 on purpose: it runs inside Pub/Sub.

// eslint-disable-next-line @typescript-eslint/no-unused-vars
function stringifyJsonColumns(message) {
  var row = JSON.parse(message.data);
  for (var key in row) {
    if (Object.prototype.hasOwnProperty.call(row, key) && row[key] !== null && typeof row[key] === 'object') {
      row[key] = JSON.stringify(row[key]);
    }
  }
  message.data = JSON.stringify(row);
  return message;
}
