def test_probe(ansible, obshell_sim):
    sim = obshell_sim("obshell-demo.yml")
    sim.clock.offset = 30
    sim.clock.skew = 300
    run = ansible.run(tasks="""
    - name: Read
      oceanbase.ops.obshell_restore_overview_info:
        url: %s
        password: root-password
        tenant_name: restored_tenant
    """ % sim.url)
    print(run.task("Read"))
    print(sim.log)
