#!/bin/sh
# The schema-version-1 registry tests/registry_migrate_test.cpp opens: written by mlstrat at
# commit 2c85da9, the last that wrote version 1. Usage: make_v1_db.sh MLSTRAT OUT.db
set -e
mlstrat=$1
db=$2
here=$(dirname "$0")
rm -f "$db"
"$mlstrat" project set --human team=0.5% --maximize accuracy --db "$db" >/dev/null
"$mlstrat" runs add baseline --train 8% --dev 10% --test 11% --size dev=2500 --size test=2500 \
    --metric latency_ms=80 --notes "first try" --db "$db" >/dev/null
# Version 1 kept a trained run's test accuracy (its dev one when there was no test) as `accuracy`.
"$mlstrat" runs add trained --kind train --train 2% --dev 5% --test 6% --metric accuracy=0.94 \
    --metric latency_ms=12 --db "$db" >/dev/null
"$mlstrat" runs add devonly --kind train --dev 7% --metric accuracy=0.93 --db "$db" >/dev/null
"$mlstrat" eval "$here/dev_pred.csv" --run evaluated --split dev --db "$db" >/dev/null
