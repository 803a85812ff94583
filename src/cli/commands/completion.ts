/**
 * `steadfast completion bash|zsh|fish`: a completion script for the shell, generated from the
 * command tree itself (every command module loaded), so it never falls behind the commands.
 * zsh uses the bash function through bashcompinit.
 */
import type { Command } from 'commander'
import { InvalidArgumentError } from '../../resilience/errors.ts'

interface Node { path: string[], summary: string, subcommands: string[], options: string[] }

/** The command tree; the program's options other than --version (--verbose, …) work after any command, so every node offers them. */
function walk (command: Command, path: string[] = [], global: string[] = []): Node[] {
  const options = command.options.flatMap((o) => [o.short, o.long]).filter((f): f is string => f !== undefined)
  const node = { path, summary: command.description(), subcommands: command.commands.map((c) => c.name()), options: [...options, ...global, '--help'] }
  const inherited = path.length === 0 ? options.filter((o) => o !== '-V' && o !== '--version') : global
  return [node, ...command.commands.flatMap((c) => walk(c, [...path, c.name()], inherited))]
}

function bash (nodes: Node[]): string {
  const key = (path: string[]): string => path.join('_')
  const cases = nodes.map((n) => `    '${key(n.path)}') words='${[...n.subcommands, ...n.options].join(' ')}' ;;`).join('\n')
  return `# steadfast completion for bash: eval "$(steadfast completion bash)" (or save it in ~/.local/share/bash-completion/completions/steadfast)
_steadfast() {
  local cur=\${COMP_WORDS[COMP_CWORD]} path='' word candidate words
  local paths=' ${nodes.map((n) => key(n.path)).filter((k) => k !== '').join(' ')} '
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    candidate=\${path:+\${path}_}$word
    [[ $paths == *" $candidate "* ]] && path=$candidate
  done
  case $path in
${cases}
    *) words='' ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _steadfast steadfast
`
}

function fish (nodes: Node[]): string {
  const lines = ['# steadfast completion for fish: steadfast completion fish > ~/.config/fish/completions/steadfast.fish']
  const quote = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  for (const n of nodes) {
    const condition = n.path.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${n.path.at(-1) ?? ''}`
    for (const child of nodes.filter((c) => c.path.length === n.path.length + 1 && c.path.slice(0, -1).join(' ') === n.path.join(' '))) {
      lines.push(`complete -c steadfast -f -n ${quote(condition)} -a ${quote(child.path.at(-1) ?? '')} -d ${quote(child.summary.split('\n')[0] ?? '')}`)
    }
    for (const option of n.options.filter((o) => o.startsWith('--'))) {
      if (n.path.length > 0) lines.push(`complete -c steadfast -n ${quote(condition)} -l ${option.slice(2)}`)
    }
  }
  return lines.join('\n') + '\n'
}

export function register (completion: Command): void {
  completion
    .argument('<shell>', 'bash, zsh or fish')
    .action(async (shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh' && shell !== 'fish') throw new InvalidArgumentError(`completion: "${shell}" is not bash, zsh or fish`)
      const { buildProgram } = await import('../program.ts')
      const nodes = walk(await buildProgram([], 'all'))
      if (shell === 'fish') process.stdout.write(fish(nodes))
      else process.stdout.write((shell === 'zsh' ? '# steadfast completion for zsh (through bashcompinit)\nautoload -U +X bashcompinit && bashcompinit\n' : '') + bash(nodes))
    })
}
