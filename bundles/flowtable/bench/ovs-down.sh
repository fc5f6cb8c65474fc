#!/bin/bash
P=${1:-fgftb}; D=/tmp/${P}ovs
for f in vswitchd ovsdb; do [ -f $D/$f.pid ] && kill $(cat $D/$f.pid) 2>/dev/null; done; sleep 1; rm -rf $D
