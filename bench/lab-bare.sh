#!/bin/bash
# Baseline for bench/lab.bench.ts: the same daemons as `ovnlab lab up` (OVN central + 3 nodes, each a
# namespace with ovsdb-server, ovs-vswitchd on netdev and ovn-controller; geneve over an underlay
# bridge in its own namespace; br-phy with the tunnel IP), the same default topology and two VMs on
# two workers, started by plain shell commands, until the first cross-node ping answers.
# usage: lab-bare.sh up|down DIR ID      (ID: a short unique tag for the namespace names)
set -e
cmd=$1; B=$2; ID=$3
[ -n "$B" ] && [ -n "$ID" ] || { echo "usage: $0 up|down DIR ID" >&2; exit 2; }
C=$B/central; NB=unix:$C/nb.sock; SB=unix:$C/sb.sock
NODES="cp w1 w2"
on() { local n=$1 d=$B/$1; shift
  OVS_RUNDIR=$d OVS_LOGDIR=$d OVS_DBDIR=$d OVN_RUNDIR=$d OVN_LOGDIR=$d OVN_DBDIR=$d ip netns exec obb$ID-$n "$@"; }

up() {
  mkdir -p $C
  ovsdb-tool create $C/nb.db /usr/share/ovn/ovn-nb.ovsschema; ovsdb-tool create $C/sb.db /usr/share/ovn/ovn-sb.ovsschema
  for db in nb sb; do ovsdb-server -vconsole:off --detach --no-chdir --pidfile=$C/$db.pid --log-file=$C/$db.log \
      --unixctl=$C/$db.ctl --remote=punix:$C/$db.sock $C/$db.db; done
  ovn-nbctl --db=$NB --no-wait init; ovn-sbctl --db=$SB init
  ovn-northd -vconsole:off --detach --no-chdir --pidfile=$C/northd.pid --log-file=$C/northd.log --unixctl=$C/northd.ctl \
    --ovnnb-db=$NB --ovnsb-db=$SB
  ovn-nbctl --db=$NB --timeout=20 --wait=sb sync  # northd has written the SB before any ovn-controller connects
  ip netns add obb$ID-ul; ip -n obb$ID-ul link add br0 type bridge; ip -n obb$ID-ul link set br0 up
  i=0
  for n in $NODES; do i=$((i+1)); d=$B/$n; mkdir -p $d
    ip netns add obb$ID-$n; ip -n obb$ID-$n link set lo up
    ip link add u$i netns obb$ID-ul type veth peer name ul0 netns obb$ID-$n
    ip -n obb$ID-ul link set u$i master br0 up; ip -n obb$ID-$n link set ul0 up
    on $n ovsdb-tool create $d/conf.db /usr/share/openvswitch/vswitch.ovsschema
    on $n ovsdb-server -vconsole:off --detach --no-chdir --pidfile=$d/ovsdb-server.pid --log-file=$d/ovsdb-server.log \
      --remote=punix:$d/db.sock $d/conf.db
    on $n ovs-vsctl --db=unix:$d/db.sock --no-wait init
    on $n ovs-vswitchd unix:$d/db.sock -vconsole:off --detach --no-chdir --pidfile=$d/ovs-vswitchd.pid --log-file=$d/ovs-vswitchd.log
    on $n ovs-vsctl --db=unix:$d/db.sock add-br br-int -- set bridge br-int datapath_type=netdev fail-mode=secure \
      other-config:disable-in-band=true -- add-br br-phy -- set bridge br-phy datapath_type=netdev \
      other-config:hwaddr=0a:00:ac:1f:ff:0$i -- add-port br-phy ul0 \
      -- set open . external_ids:system-id=$n external_ids:ovn-remote=$SB external_ids:ovn-encap-type=geneve \
      external_ids:ovn-encap-ip=172.31.255.$i external_ids:ovn-bridge-datapath-type=netdev
    ip -n obb$ID-$n addr add 172.31.255.$i/24 dev br-phy; ip -n obb$ID-$n link set br-phy up
    on $n ovn-controller unix:$d/db.sock -vconsole:off --detach --no-chdir --pidfile=$d/ovn-controller.pid --log-file=$d/ovn-controller.log
  done
  i=0
  for n in $NODES; do i=$((i+1)); j=0
    for p in $NODES; do j=$((j+1)); [ $i = $j ] || on $n ovs-appctl -t $B/$n/ovs-vswitchd.$(cat $B/$n/ovs-vswitchd.pid).ctl tnl/neigh/set br-phy 172.31.255.$j 0a:00:ac:1f:ff:0$j >/dev/null; done
  done
  ovn-nbctl --db=$NB -- lr-add ovn-cluster -- ls-add join -- ls-add ovn-default \
    -- lrp-add ovn-cluster ovn-cluster-join 0a:00:64:40:00:01 100.64.0.1/16 \
    -- lsp-add join join-ovn-cluster -- lsp-set-type join-ovn-cluster router -- lsp-set-addresses join-ovn-cluster router \
    -- lsp-set-options join-ovn-cluster router-port=ovn-cluster-join \
    -- lrp-add ovn-cluster ovn-cluster-ovn-default 0a:00:0a:10:00:01 10.16.0.1/16 \
    -- lsp-add ovn-default ovn-default-ovn-cluster -- lsp-set-type ovn-default-ovn-cluster router \
    -- lsp-set-addresses ovn-default-ovn-cluster router -- lsp-set-options ovn-default-ovn-cluster router-port=ovn-cluster-ovn-default \
    -- lsp-add ovn-default vm1.default -- lsp-set-addresses vm1.default "0a:00:00:aa:00:01 10.16.0.2" \
    -- lsp-add ovn-default vm2.default -- lsp-set-addresses vm2.default "0a:00:00:aa:00:02 10.16.0.3"
  k=1
  for v in "vm1 w1" "vm2 w2"; do set -- $v; k=$((k+1))
    ip netns add obb$ID-$1; ip -n obb$ID-$1 link set lo up
    ip link add ${1}_h netns obb$ID-$2 type veth peer name eth0 netns obb$ID-$1
    ip -n obb$ID-$1 link set eth0 address 0a:00:00:aa:00:0$((k-1)) mtu 1400 up
    ip -n obb$ID-$1 addr add 10.16.0.$k/16 dev eth0; ip -n obb$ID-$1 route add default via 10.16.0.1
    ip -n obb$ID-$2 link set ${1}_h up
    on $2 ovs-vsctl --db=unix:$B/$2/db.sock add-port br-int ${1}_h -- set interface ${1}_h external_ids:iface-id=$1.default
  done
  ovn-nbctl --db=$NB --wait=hv sync
  for t in $(seq 200); do ip netns exec obb$ID-vm1 ping -c1 -W0.2 10.16.0.3 >/dev/null 2>&1 && return 0; done
  echo "vm1 -> vm2 ping failed" >&2; return 1
}

down() {
  set +e
  for f in $B/*/ovn-controller.pid $B/*/ovs-vswitchd.pid $B/*/ovsdb-server.pid $C/northd.pid $C/sb.pid $C/nb.pid; do
    [ -f $f ] || continue; p=$(cat $f); grep -qa "$B" /proc/$p/cmdline 2>/dev/null && kill $p
    # gone, or a zombie waiting for init to reap it
    for t in $(seq 50); do { ! kill -0 $p 2>/dev/null || [ "$(awk '{print $3}' /proc/$p/stat 2>/dev/null)" = Z ]; } && break; sleep 0.05; done
  done
  for ns in vm1 vm2 $NODES ul; do ip netns del obb$ID-$ns 2>/dev/null; done
  rm -rf $B/*
  return 0
}

case "$cmd" in up) up ;; down) down ;; *) echo "usage: $0 up|down DIR ID" >&2; exit 2 ;; esac
