"""The simulator's terminal twin: `flask sms NUMBER TEXT` and `flask call NUMBER`.

Both text or call the number of one commune: --commune CODE, else the first commune.
"""

import re

import click
from flask import current_app

from app import communes
from app.infra.database import get_db
from app.language import phones
from app.ops.commune_cli import commune_option, resolve
from simulator import bp, clips, phone

# A menu that never hangs up must not keep the terminal forever.
MAX_LEGS = 60
OFF_MESSAGE = (
    "The phone simulator is off: it runs in the embedded demo (SMS_TRANSPORT=console and no "
    "Twilio or gateway credentials) or when SIMULATOR=1 is set."
)


def _switched_on():
    """Refuse to run unless the simulator is on, as the page does."""
    if not current_app.config.get("SIMULATOR"):
        raise click.ClickException(OFF_MESSAGE)


def _number(raw):
    """Normalise a typed number to E.164, or stop with a clear message."""
    try:
        return phones.normalise(raw)
    except phones.InvalidPhone:
        raise click.ClickException(f"not a valid phone number: {raw}") from None


def _reaching(commune_code):
    """Bind the commune whose number the phone reaches (the first without --commune)."""
    return communes.bound(resolve(get_db(), commune_code))


@bp.cli.command("sms")
@click.argument("number")
@click.argument("text")
@commune_option
def sms_command(number, text, commune_code):
    """Text TEXT to the service from NUMBER, as a resident would, and print the reply."""
    _switched_on()
    try:
        with _reaching(commune_code):
            replies = phone.send_sms(_number(number), text)
    except phone.SimulatorError as exc:
        raise click.ClickException(str(exc)) from None
    for body in replies.bodies:
        click.echo(body)
    if not replies.on_time:
        click.echo(f"(the worker had not sent every reply after {phone.REPLY_WAIT_SECONDS} s)")
    elif not replies.bodies:
        click.echo("(no reply)")


@bp.cli.command("call")
@click.argument("number")
@commune_option
def call_command(number, commune_code):
    """Call the voice menu from NUMBER: prompts are printed, keys are read from the keyboard.

    Type the keys and press Enter; an empty line is a timeout (no key pressed). A <Record>
    sends the bundled sample clip. The call ends on <Hangup>, after a recording, or at end
    of input.
    """
    _switched_on()
    caller = _number(number)
    with _reaching(commune_code):
        _call(caller)


def _call(caller):
    """Run one call from CALLER to the bound commune's number, in the terminal."""
    service = phone.service_number()
    try:
        call_sid, leg = phone.start_call(caller)
        click.echo(f"Calling {service} from {phones.display(caller)} ({call_sid})")
        for _ in range(MAX_LEGS):
            leg = _play(call_sid, caller, leg)
            if leg is None:
                break
        else:
            click.echo("(the menu kept going; the simulator hung up)")
    except phone.SimulatorError as exc:
        raise click.ClickException(str(exc)) from None
    phone.hang_up(call_sid, caller)
    click.echo("Call ended.")


def _announce(step):
    """Print what the caller hears for a Say or a Play."""
    if step["verb"] == "say" and step["text"]:
        click.echo(f"  < {step['text']}")
    elif step["verb"] == "play":
        click.echo(f"  < [audio {step['url']}]")


def _play(call_sid, caller, leg):
    """Run one TwiML document in the terminal; return the next Leg, or None when the call ends."""
    for step in leg.steps:
        verb = step["verb"]
        if verb in ("say", "play"):
            _announce(step)
        elif verb == "gather":
            for child in step["children"]:
                _announce(child)
            digits = _read_keys(step)
            if digits is None:
                click.echo("(hung up)")
                return None
            if digits:
                return phone.follow(call_sid, caller, step["action"], step["method"], digits)
            click.echo(f"  (no key for {step['timeout']} s)")
        elif verb == "redirect":
            return phone.follow(call_sid, caller, step["url"], step["method"])
        elif verb == "record":
            click.echo("  [beep] recording: the sample clip is sent")
            _sid, after = phone.record(call_sid, caller, step, clips.sample(), "wav")
            for said in after.steps:
                _announce(said)
            return None
        elif verb == "hangup":
            return None
        elif verb == "dial":
            click.echo(f"  (transfer to {step['number']}: not simulated)")
            return None
    return None


def _read_keys(step):
    """Read the keys for a Gather: '' on an empty line (timeout), None at end of input."""
    try:
        typed = click.prompt(
            f"  keys ({step['timeout']} s)", default="", show_default=False, prompt_suffix=" > "
        )
    except click.Abort:
        return None
    digits = re.sub(r"[^0-9*#]", "", typed)
    finish = step.get("finish_on_key") or ""
    if finish and finish in digits:
        digits = digits.split(finish, 1)[0]
    if step.get("num_digits"):
        digits = digits[: step["num_digits"]]
    return digits
