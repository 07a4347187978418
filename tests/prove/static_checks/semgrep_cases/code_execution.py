# ruff: noqa
# Cases for agentic_action/prove/semgrep_rules/code_execution.yaml.
# "# ruleid: R" means the next line must be flagged by rule R; "# ok: R" means it must not.
import asyncio
import builtins
import os
import subprocess


def run(source, name, cmd, model):
    # ruleid: eval-exec
    value = eval(source)
    # ruleid: eval-exec
    exec(source, {})
    # ruleid: eval-exec
    builtins.eval(source)
    # ruleid: eval-exec
    code = compile(source, name, "exec")
    # ok: eval-exec
    model.eval()
    # ok: eval-exec
    expression = compile(source, name, "eval").co_names
    # ok: eval-exec
    literal = ast_literal_eval(source)
    return value, code, expression, literal


def shell(cmd, args):
    # ruleid: os-system
    os.system(cmd)
    # ruleid: os-system
    pipe = os.popen(cmd)
    # ok: os-system
    os.path.join(cmd, "x")
    # ruleid: subprocess-shell-true
    subprocess.run(cmd, shell=True)
    # ruleid: subprocess-shell-true
    subprocess.check_output(cmd, cwd="/", shell=1)
    # ruleid: subprocess-shell-true
    proc = asyncio.create_subprocess_shell(cmd)
    # ok: subprocess-shell-true
    subprocess.run(args, shell=False)
    # ok: subprocess-shell-true
    subprocess.run(args, check=True)
    return pipe, proc


def ast_literal_eval(text):
    return text


def native():
    # ruleid: native-memory-access
    import ctypes

    # ok: native-memory-access
    import array

    return ctypes, array
