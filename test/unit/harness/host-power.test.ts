import { matchesEventPattern } from '../../harness/event-pattern';
import { idleStopScriptOf, incorrectStateAnswer, startInstancesAnswer } from '../../harness/host-power';
import { parseStartInstancesResponse } from '../../../common/src/ec2-start';

describe('the harness\'s EventBridge and EC2 answers', () => {
  const pattern = { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['stopped'], 'instance-id': ['i-1'] } };
  const event = { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: { state: 'stopped', 'instance-id': 'i-1' } };

  it('matches an event pattern field by field, lists by membership', () => {
    expect(matchesEventPattern(pattern, event)).toBe(true);
    expect(matchesEventPattern(pattern, { ...event, detail: { state: 'running', 'instance-id': 'i-1' } })).toBe(false);
    expect(matchesEventPattern(pattern, { ...event, detail: { state: 'stopped', 'instance-id': 'i-2' } })).toBe(false);
    expect(matchesEventPattern(pattern, { source: 'aws.ec2' })).toBe(false);
    expect(() => matchesEventPattern({ source: 'aws.ec2' }, event)).toThrow('only lists and objects');
  });

  it('answers StartInstances in the shapes the trigger parses', () => {
    expect(parseStartInstancesResponse(200, startInstancesAnswer('i-1', 'stopped', 'pending').body)).toEqual({ previous: 'stopped', current: 'pending' });
    const refused = incorrectStateAnswer('i-1');
    expect(parseStartInstancesResponse(refused.status, refused.body)).toMatchObject({ name: 'IncorrectInstanceState' });
  });

  it('takes the idle-stop script out of the user data\'s heredoc', () => {
    const userData = "#!/bin/bash\ncat >/usr/local/sbin/x <<'IDLE_STOP_SCRIPT'\n#!/bin/bash\necho idle\nIDLE_STOP_SCRIPT\nchmod 0755 x\n";
    expect(idleStopScriptOf(userData)).toBe('#!/bin/bash\necho idle');
    expect(() => idleStopScriptOf('#!/bin/bash\n')).toThrow('no IDLE_STOP_SCRIPT heredoc');
  });
});
