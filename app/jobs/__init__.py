"""Background jobs recorded in the database: anything that takes more than a few seconds (issuing or printing
certificates for a whole course or district) runs after the response, in the process that accepted it, and writes
its progress to a row that any app process can read."""
